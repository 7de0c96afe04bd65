package apptest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Mailpit is a real SMTP server with an HTTP API for reading mail.
type Mailpit struct {
	SMTP string // smtp://host:port?tls=none
	API  string // http://host:port
	cmd  *exec.Cmd
	args []string
}

// SharedMailpit is the Mailpit the test command started (tests give their
// recipients unique addresses and find their mail by search).
func SharedMailpit(t testing.TB) *Mailpit {
	t.Helper()
	smtp, api := os.Getenv("EMGEK_TEST_SMTP_URL"), os.Getenv("EMGEK_TEST_MAILPIT_URL")
	if smtp == "" || api == "" {
		t.Fatal("EMGEK_TEST_SMTP_URL and EMGEK_TEST_MAILPIT_URL are not set: run the tests with scripts/test.sh")
	}
	return &Mailpit{SMTP: smtp + "?tls=none", API: api}
}

// FreePort returns a loopback port nothing listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// NewMailpit prepares a Mailpit of the test's own on smtpPort (not yet
// started: a test that stops SMTP starts it later).
func NewMailpit(t testing.TB, smtpPort int) *Mailpit {
	t.Helper()
	bin := os.Getenv("EMGEK_TEST_MAILPIT_BIN")
	if bin == "" {
		t.Fatal("EMGEK_TEST_MAILPIT_BIN is not set: run the tests with scripts/test.sh")
	}
	httpPort := FreePort(t)
	m := &Mailpit{
		SMTP: fmt.Sprintf("smtp://127.0.0.1:%d?tls=none", smtpPort),
		API:  fmt.Sprintf("http://127.0.0.1:%d", httpPort),
		args: []string{bin, "--smtp", "127.0.0.1:" + strconv.Itoa(smtpPort), "--listen", "127.0.0.1:" + strconv.Itoa(httpPort),
			"--disable-version-check", "--database", filepath.Join(t.TempDir(), "mailpit.db")},
	}
	t.Cleanup(m.Stop)
	return m
}

// Start runs the server and waits until its API answers.
func (m *Mailpit) Start(t testing.TB) {
	t.Helper()
	m.cmd = exec.Command(m.args[0], m.args[1:]...)
	if err := m.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get(m.API + "/api/v1/messages"); err == nil {
			r.Body.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("mailpit did not start")
}

// Stop ends the server.
func (m *Mailpit) Stop() {
	if m.cmd != nil && m.cmd.Process != nil {
		_ = m.cmd.Process.Kill()
		_ = m.cmd.Wait()
		m.cmd = nil
	}
}

// MailSummary is a message as Mailpit's search lists it.
type MailSummary struct {
	ID      string
	Subject string
	To      []struct{ Address string }
}

// MailMessage is a whole message.
type MailMessage struct {
	ID        string
	MessageID string
	Subject   string
	Text      string
	HTML      string
}

// Search lists the messages to an address.
func (m *Mailpit) Search(t testing.TB, to string) []MailSummary {
	t.Helper()
	r, err := http.Get(m.API + "/api/v1/search?query=" + url.QueryEscape(`to:"`+to+`"`))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var out struct{ Messages []MailSummary }
	if err := json.NewDecoder(r.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// Message reads one message.
func (m *Mailpit) Message(t testing.TB, id string) MailMessage {
	t.Helper()
	r, err := http.Get(m.API + "/api/v1/message/" + id)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	var msg MailMessage
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		t.Fatal(err)
	}
	return msg
}

// Wait waits until `to` has at least n messages and returns the newest n
// read in full; it fails after timeout.
func (m *Mailpit) Wait(t testing.TB, to string, n int, timeout time.Duration) []MailMessage {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		list := m.Search(t, to)
		if len(list) >= n {
			var out []MailMessage
			for _, s := range list[:n] {
				out = append(out, m.Message(t, s.ID))
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages to %s after %s, want %d", len(list), to, timeout, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
