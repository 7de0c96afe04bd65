package mail_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/mail"
)

// relay is an SMTP server for the tests: it counts connections and
// messages, can refuse a recipient, and can drop every connection.
type relay struct {
	addr     string
	srv      *smtp.Server
	conns    atomic.Int64
	messages atomic.Int64
	mu       sync.Mutex
	open     []*smtp.Conn
	refuse   string // a recipient refused for good
	perConn  int    // messages a connection may carry (0: any); then 421
}

func newRelay(t *testing.T) *relay {
	r := &relay{}
	r.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		r.conns.Add(1)
		r.mu.Lock()
		r.open = append(r.open, c)
		r.mu.Unlock()
		return &relaySession{r: r}, nil
	}))
	r.srv.Domain = "relay.test"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = l.Addr().String()
	go func() { _ = r.srv.Serve(l) }()
	t.Cleanup(func() { _ = r.srv.Close() })
	return r
}

// dropAll closes every connection, as a relay does with idle ones.
func (r *relay) dropAll() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.open {
		_ = c.Close()
	}
	r.open = nil
}

type relaySession struct {
	r    *relay
	sent int
}

func (s *relaySession) Reset()        {}
func (s *relaySession) Logout() error { return nil }
func (s *relaySession) Mail(string, *smtp.MailOptions) error {
	if s.r.perConn > 0 && s.sent >= s.r.perConn {
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "too many messages, reconnect"}
	}
	return nil
}
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == s.r.refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.r.messages.Add(1)
	s.sent++
	return nil
}

// TestSMTPKeepsConnections: messages share a connection; when the relay
// has dropped it, the next message goes on a new one; a refusal is
// returned, not retried on another connection.
func TestSMTPKeepsConnections(t *testing.T) {
	r := newRelay(t)
	s, err := mail.NewSMTP("smtp://"+r.addr+"?tls=none", "portal@example.test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	send := func(to string) error {
		return s.Send(ctx, mail.Message{To: to, Subject: "Hello", Text: "Text", HTML: "<p>HTML</p>"})
	}
	for i := range 5 {
		if err := send(fmt.Sprintf("a%d@example.test", i)); err != nil {
			t.Fatal(err)
		}
	}
	if c, m := r.conns.Load(), r.messages.Load(); c != 1 || m != 5 {
		t.Fatalf("%d connections for %d messages, want 1 for 5", c, m)
	}
	r.dropAll()
	if err := send("b@example.test"); err != nil {
		t.Fatalf("after the relay dropped the connection: %v", err)
	}
	if c, m := r.conns.Load(), r.messages.Load(); c != 2 || m != 6 {
		t.Fatalf("%d connections, %d messages; want 2 and 6", c, m)
	}
	r.refuse = "nobody@example.test"
	err = send("nobody@example.test")
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("a refused recipient: %v, want the 550", err)
	}
	if c := r.conns.Load(); c != 2 {
		t.Fatalf("a refusal was tried again on a new connection: %d connections", c)
	}
	if err := send("c@example.test"); err != nil {
		t.Fatalf("after a refusal: %v", err)
	}
}

// TestSMTPRelayLimit: a relay that takes a few messages a connection
// gets each message once, on new connections as it asks.
func TestSMTPRelayLimit(t *testing.T) {
	r := newRelay(t)
	r.perConn = 2
	s, err := mail.NewSMTP("smtp://"+r.addr+"?tls=none", "portal@example.test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 5 {
		if err := s.Send(context.Background(), mail.Message{To: fmt.Sprintf("a%d@example.test", i), Subject: "Hello", Text: "Text"}); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if m, c := r.messages.Load(), r.conns.Load(); m != 5 || c != 3 {
		t.Fatalf("%d messages on %d connections, want 5 on 3", m, c)
	}
}

// TestRenderConcurrently: emails rendered at once in different languages
// each come out in their own language, with their own data (the renderer
// reuses its copies of the templates).
func TestRenderConcurrently(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := mail.NewRenderer(cat, "https://portal.example.test")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 200 {
		lang := i18n.Langs[i%len(i18n.Langs)]
		wg.Go(func() {
			number := fmt.Sprintf("Q-2026-%06d", i)
			m, err := r.Render("application_received", lang, "x@example.test",
				map[string]any{"Number": number, "Due": "2026-12-24", "Service": "quota", "ID": i})
			if err != nil {
				t.Error(err)
				return
			}
			want := cat.Localizer(lang).T("mail.application_received.subject")
			if m.Subject != want || !strings.Contains(m.Text, number) || !strings.Contains(m.HTML, number) ||
				!strings.Contains(m.Text, cat.Localizer(lang).T("mail.greeting")) {
				t.Errorf("%s %s: subject %q, text %q", lang, number, m.Subject, m.Text)
			}
		})
	}
	wg.Wait()
}
