// Package apptest runs a whole Emgek instance for tests: a real database
// (see dbtest), the real router on a loopback port, the job queue with a
// short retry policy, and a client that behaves like a browser (cookies,
// the Origin header on forms, no JavaScript).
package apptest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/app"
	"github.com/emgek/emgek/internal/config"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
	"github.com/emgek/emgek/internal/jobs"
	"github.com/emgek/emgek/internal/keyfile"
)

// Env is a running instance.
type Env struct {
	T      testing.TB
	offset atomic.Int64 // nanoseconds the instance's clock is ahead of real time
	cfg    *config.Config
	logs   syncBuffer
	App    *app.App
	Server *httptest.Server
	URL    string
	DB     *db.DB
}

// Option changes the configuration before the instance starts.
type Option func(*config.Config)

// WithSMTP sends mail to an SMTP server instead of the dev outbox.
func WithSMTP(u string) Option { return func(c *config.Config) { c.SMTPURL = u } }

// WithLang sets the deployment's default language.
func WithLang(l string) Option { return func(c *config.Config) { c.DefaultLang = l } }

// New starts an instance on a fresh database of the dialect, in dev mode
// (mail goes to the outbox) unless an option says otherwise.
func New(t testing.TB, dialect db.Dialect, opts ...Option) *Env {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg, err := config.Load(nil, nil, func(k string) string {
		switch k {
		case "EMGEK_DATA":
			return dir
		case "EMGEK_DEV":
			return "1"
		case "EMGEK_NCALAYER_STANDIN":
			return "127.0.0.1:0"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = "http://" + ln.Addr().String()
	cfg.DatabaseURL = dbtest.URL(t, dialect)
	cfg.BlobURL = filepath.Join(dir, "files")
	for _, o := range opts {
		o(cfg)
	}
	if !cfg.Dev { // production needs its keys made beforehand
		for _, k := range []string{cfg.AuditKeyFile, cfg.SigningKeyFile} {
			if _, err := keyfile.Load(k, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	return start(t, ln, cfg)
}

// Twin starts a second instance on the same database and files, as a
// second server of one deployment would be.
func (e *Env) Twin() *Env {
	e.T.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.T.Fatal(err)
	}
	cfg := *e.cfg
	cfg.BaseURL = "http://" + ln.Addr().String()
	return start(e.T, ln, &cfg)
}

func start(t testing.TB, ln net.Listener, cfg *config.Config) *Env {
	t.Helper()
	e := &Env{T: t, cfg: cfg}
	var logOut io.Writer = &e.logs
	if os.Getenv("EMGEK_TEST_LOG") != "" {
		logOut = io.MultiWriter(&e.logs, os.Stderr)
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
	a, err := app.New(t.Context(), cfg, app.Options{
		Now:          func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) },
		Log:          log,
		Backoff:      jobs.Backoff{Base: 200 * time.Millisecond, Max: time.Second},
		PollInterval: 50 * time.Millisecond,
	})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	if err := a.Start(context.WithoutCancel(t.Context())); err != nil {
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: a.Handler}}
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	e.App, e.Server, e.URL, e.DB = a, srv, srv.URL, a.DB
	return e
}

// Advance moves the instance's clock forward (expiry of links, sessions,
// throttling delays); the job queue keeps real time.
func (e *Env) Advance(d time.Duration) { e.offset.Add(int64(d)) }

// Each runs fn on an instance per dialect.
func Each(t *testing.T, fn func(t *testing.T, e *Env), opts ...Option) {
	t.Helper()
	for _, d := range dbtest.Dialects(t) {
		t.Run(string(d), func(t *testing.T) { fn(t, New(t, d, opts...)) })
	}
}

// CaptchaAnswer returns the digits of the anti-bot code in a page.
func (e *Env) CaptchaAnswer(page string) string {
	e.T.Helper()
	id := HiddenValue(page, "captcha_id")
	if id == "" {
		e.T.Fatal("no captcha in the page")
	}
	a, err := e.App.Captcha.Answer(context.Background(), id)
	if err != nil {
		e.T.Fatal(err)
	}
	return a
}

// HiddenValue finds <input type="hidden" name="NAME" value="…"> in a page.
func HiddenValue(page, name string) string {
	marker := `name="` + name + `" value="`
	i := strings.Index(page, marker)
	if i < 0 {
		return ""
	}
	rest := page[i+len(marker):]
	return rest[:strings.IndexByte(rest, '"')]
}

// Outbox waits until the dev outbox holds a message to `to` whose subject
// contains `subject`, and returns its text. It fails after 10 seconds.
func (e *Env) Outbox(to, subject string) string {
	e.T.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		msgs, err := e.App.Outbox.List(context.Background(), 500)
		if err != nil {
			e.T.Fatal(err)
		}
		for _, m := range msgs {
			if m.Message.To == to && strings.Contains(m.Message.Subject, subject) {
				return m.Message.Text
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	e.T.Fatalf("no email to %s about %q within 10 s", to, subject)
	return ""
}

// QueuedEmails lists the emails named template now in the job queue,
// whether a job of their own or in a batch (jobs.MailMany).
func (e *Env) QueuedEmails(template string) []jobs.Email {
	e.T.Helper()
	args := "CAST(args AS TEXT)"
	if e.DB.Dialect == db.SQLite {
		args = "json(args)" // the queue keeps SQLite's binary JSON
	}
	rows, err := e.DB.Query(context.Background(), `SELECT kind, `+args+` FROM river_job WHERE kind IN ('send_mail', 'send_mail_batch')`)
	if err != nil {
		e.T.Fatal(err)
	}
	defer rows.Close()
	var out []jobs.Email
	for rows.Next() {
		var kind, args string
		if err := rows.Scan(&kind, &args); err != nil {
			e.T.Fatal(err)
		}
		var batch struct{ Emails []jobs.Email }
		var one struct {
			Template, Lang, To string
			Data               map[string]any
		}
		if kind == "send_mail" {
			err = json.Unmarshal([]byte(args), &one)
			batch.Emails = []jobs.Email{{Name: one.Template, Lang: one.Lang, To: one.To, Data: one.Data}}
		} else {
			err = json.Unmarshal([]byte(args), &batch)
		}
		if err != nil {
			e.T.Fatal(err)
		}
		for _, m := range batch.Emails {
			if m.Name == template {
				out = append(out, m)
			}
		}
	}
	if err := rows.Err(); err != nil {
		e.T.Fatal(err)
	}
	return out
}

// OutboxCount counts the messages to `to` now in the dev outbox.
func (e *Env) OutboxCount(to string) int {
	e.T.Helper()
	msgs, err := e.App.Outbox.List(context.Background(), 500)
	if err != nil {
		e.T.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Message.To == to {
			n++
		}
	}
	return n
}

// LinkIn returns the first URL in text that starts with prefix.
func LinkIn(t testing.TB, text, prefix string) string {
	t.Helper()
	i := strings.Index(text, prefix)
	if i < 0 {
		t.Fatalf("no link starting %s in:\n%s", prefix, text)
	}
	end := strings.IndexAny(text[i:], " \n\r\t\"<")
	if end < 0 {
		return text[i:]
	}
	return text[i : i+end]
}

// Logs returns what the instance logged so far.
func (e *Env) Logs() string { return e.logs.String() }

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
