package mail_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/mail"
	"github.com/emgek/emgek/internal/smtptest"
)

// TestSMTPKeepsConnections: messages share a connection; when the relay
// has dropped it, the next message goes on a new one; a refusal is
// returned, not retried on another connection.
func TestSMTPKeepsConnections(t *testing.T) {
	r := smtptest.Start(t)
	s, err := mail.NewSMTP(r.URL, "portal@example.test")
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
	if c, m := r.Connections(), len(r.Delivered()); c != 1 || m != 5 {
		t.Fatalf("%d connections for %d messages, want 1 for 5", c, m)
	}
	r.DropAll()
	if err := send("b@example.test"); err != nil {
		t.Fatalf("after the relay dropped the connection: %v", err)
	}
	if c, m := r.Connections(), len(r.Delivered()); c != 2 || m != 6 {
		t.Fatalf("%d connections, %d messages; want 2 and 6", c, m)
	}
	r.Refuse("nobody@example.test")
	err = send("nobody@example.test")
	if err == nil || !strings.Contains(err.Error(), "550") {
		t.Fatalf("a refused recipient: %v, want the 550", err)
	}
	if c := r.Connections(); c != 2 {
		t.Fatalf("a refusal was tried again on a new connection: %d connections", c)
	}
	if err := send("c@example.test"); err != nil {
		t.Fatalf("after a refusal: %v", err)
	}
}

// TestSMTPRelayLimit: a relay that takes a few messages a connection
// gets each message once, on new connections as it asks.
func TestSMTPRelayLimit(t *testing.T) {
	r := smtptest.Start(t)
	r.LimitPerConnection(2)
	s, err := mail.NewSMTP(r.URL, "portal@example.test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 5 {
		if err := s.Send(context.Background(), mail.Message{To: fmt.Sprintf("a%d@example.test", i), Subject: "Hello", Text: "Text"}); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if m, c := len(r.Delivered()), r.Connections(); m != 5 || c != 3 {
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

// TestMessageForm: a message's Message-ID is bracketed once, whether it
// was given bare (as jobs give it now) or bracketed (as jobs queued by
// earlier releases have it), and its Cyrillic bodies go in base64, whole.
func TestMessageForm(t *testing.T) {
	r := smtptest.Start(t)
	s, err := mail.NewSMTP(r.URL, "portal@example.test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	text := "Ваша заявка Q-2026-000001 получена."
	for _, id := range []string{"job-1-2@example.test", "<job-1-2@example.test>"} {
		r.Reset()
		if err := s.Send(t.Context(), mail.Message{To: "a@example.test", Subject: "Заявка", Text: text, HTML: "<p>" + text + "</p>", ID: id}); err != nil {
			t.Fatal(err)
		}
		m, err := netmail.ReadMessage(bytes.NewReader(r.Messages()[0]))
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Header.Get("Message-ID"); got != "<job-1-2@example.test>" {
			t.Errorf("given %q, the Message-ID is %q", id, got)
		}
		raw := string(r.Messages()[0])
		if !strings.Contains(raw, "Content-Transfer-Encoding: base64") || !strings.Contains(raw, base64.StdEncoding.EncodeToString([]byte(text))[:40]) {
			t.Errorf("the text is not in base64:\n%s", raw)
		}
	}
}
