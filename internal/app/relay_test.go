package app_test

import (
	"io"
	"net"
	"slices"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// refusingRelay is an SMTP relay for tests that refuses one recipient for
// good and records whom it delivered to.
type refusingRelay struct {
	url    string
	refuse string
	mu     sync.Mutex
	rcpts  []string
}

func newRefusingRelay(t *testing.T, refuse string) *refusingRelay {
	r := &refusingRelay{refuse: refuse}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }))
	srv.Domain = "relay.test"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.url = "smtp://" + l.Addr().String() + "?tls=none"
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r
}

func (r *refusingRelay) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rcpts = nil
}

func (r *refusingRelay) delivered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.rcpts)
}

// to lists the recipients delivered to, sorted.
func (r *refusingRelay) to() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(slices.Values(r.rcpts))
}

type relaySession struct {
	r  *refusingRelay
	to string
}

func (s *relaySession) Reset()                               { s.to = "" }
func (s *relaySession) Logout() error                        { return nil }
func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.r.refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = to
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.r.mu.Lock()
	s.r.rcpts = append(s.r.rcpts, s.to)
	s.r.mu.Unlock()
	return nil
}
