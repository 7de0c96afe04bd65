// Package smtptest runs an SMTP relay for tests: it counts connections,
// records whom it delivered to and keeps the messages as sent; it can refuse a
// recipient for good, limit the messages a connection carries (as some
// relays do) and drop every connection (as relays do with idle ones).
package smtptest

import (
	"io"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Relay is a running test relay.
type Relay struct {
	URL string // smtp://host:port?tls=none, for EMGEK_SMTP_URL or mail.NewSMTP

	mu      sync.Mutex
	conns   int
	open    []*smtp.Conn
	rcpts   []string
	raw     [][]byte // the messages, as sent
	refuse  string
	perConn int
}

// Start runs a relay on a loopback port until the test ends.
func Start(t testing.TB) *Relay {
	t.Helper()
	r := &Relay{}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.conns++
		r.open = append(r.open, c)
		return &session{r: r}, nil
	}))
	srv.Domain = "relay.test"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.URL = "smtp://" + l.Addr().String() + "?tls=none"
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r
}

// Refuse has the relay refuse to (550, for good).
func (r *Relay) Refuse(to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refuse = to
}

// LimitPerConnection has the relay answer 421 after n messages on a
// connection.
func (r *Relay) LimitPerConnection(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.perConn = n
}

// DropAll closes every connection.
func (r *Relay) DropAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.open {
		_ = c.Close()
	}
	r.open = nil
}

// Connections counts the connections made so far.
func (r *Relay) Connections() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conns
}

// Delivered lists the recipients of the messages taken, in order.
func (r *Relay) Delivered() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.rcpts)
}

// Messages lists the messages taken, as sent, in order.
func (r *Relay) Messages() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.raw)
}

// Reset forgets the messages taken.
func (r *Relay) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rcpts, r.raw = nil, nil
}

type session struct {
	r    *Relay
	to   string
	sent int // on this connection
}

func (s *session) Reset()        { s.to = "" }
func (s *session) Logout() error { return nil }

func (s *session) Mail(string, *smtp.MailOptions) error {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if s.r.perConn > 0 && s.sent >= s.r.perConn {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "too many messages, reconnect"}
	}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if to == s.r.refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.sent++
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.rcpts = append(s.r.rcpts, s.to)
	s.r.raw = append(s.r.raw, b)
	return nil
}
