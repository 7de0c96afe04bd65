package app_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/app"
	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/config"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/keyfile"
	"github.com/emgek/emgek/internal/mail"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestServeRefusesWithoutSMTP: production without SMTP does not start and
// says exactly what is missing.
func TestServeRefusesWithoutSMTP(t *testing.T) {
	var out, errOut bytes.Buffer
	code := app.Main(t.Context(), []string{"emgek", "serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()},
		env(nil), strings.NewReader(""), &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "EMGEK_SMTP_URL is not set") {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}

func TestCommands(t *testing.T) {
	data := t.TempDir()
	e := env(map[string]string{"EMGEK_DATA": data, "EMGEK_SMTP_URL": "smtp://mailer:s3cret@mail.example:587"})
	var out, errOut bytes.Buffer
	if code := app.Main(t.Context(), []string{"emgek", "help"}, e, nil, &out, &errOut); code != 0 || !strings.Contains(out.String(), "operator add") {
		t.Fatalf("help: %d %q", code, out.String())
	}
	out.Reset()
	if code := app.Main(t.Context(), []string{"emgek", "config"}, e, nil, &out, &errOut); code != 0 ||
		strings.Contains(out.String(), "s3cret") || !strings.Contains(out.String(), "EMGEK_SMTP_URL=smtp://mailer:*****@mail.example:587") {
		t.Fatalf("config: %d\n%s", code, out.String())
	}
	out.Reset()
	code := app.Main(t.Context(), []string{"emgek", "operator", "add", "--email", "Chief@Ministry.example", "--name", "Chief", "--role", "admin"},
		e, strings.NewReader("a long admin password\n"), &out, &errOut)
	if code != 0 || !strings.Contains(out.String(), "created admin chief@ministry.example") {
		t.Fatalf("operator add: %d %q %q", code, out.String(), errOut.String())
	}
	errOut.Reset()
	code = app.Main(t.Context(), []string{"emgek", "operator", "add", "--email", "x@ministry.example", "--name", "X", "--role", "boss"},
		e, strings.NewReader("short\n"), &out, &errOut)
	if code != 1 || !strings.Contains(errOut.String(), "--password: The password must have at least 12 characters") || !strings.Contains(errOut.String(), "--role: Choose one of the options") {
		t.Fatalf("bad operator add: %d %q", code, errOut.String())
	}
	if code := app.Main(t.Context(), []string{"emgek", "nonsense"}, e, nil, &out, &errOut); code != 2 {
		t.Fatalf("unknown command: exit %d, want 2", code)
	}
}

// TestHealth: 200 with the database's name after a query succeeded; 503
// when the database is gone.
func TestHealth(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		r := e.Client().Get("/healthz")
		var body map[string]string
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil || r.Status != http.StatusOK ||
			body["status"] != "ok" || body["database"] != string(e.DB.Dialect) {
			t.Fatalf("healthz: %d %s", r.Status, r.Body)
		}
		if r.Header.Get("Set-Cookie") != "" {
			t.Error("healthz set a cookie: it must carry no session")
		}
		m := e.Client().Get("/metrics")
		if m.Status != http.StatusOK || !strings.Contains(m.Body, `emgek_http_requests_total{route="GET /healthz",status="200"}`) {
			t.Fatalf("metrics: %d", m.Status)
		}
		if err := e.App.Jobs.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
		e.DB.Close()
		if r := e.Client().Get("/healthz"); r.Status != http.StatusServiceUnavailable {
			t.Fatalf("healthz with the database closed: %d, want 503", r.Status)
		}
	})
}

// TestNoDevRoutesInProduction: without --dev there is no /dev/mail.
func TestNoDevRoutesInProduction(t *testing.T) {
	mp := apptest.SharedMailpit(t)
	e := apptest.New(t, "sqlite", apptest.WithSMTP(mp.SMTP), func(c *config.Config) { c.Dev = false })
	if r := e.Client().Get("/dev/mail"); r.Status != http.StatusNotFound {
		t.Fatalf("/dev/mail without --dev: %d, want 404", r.Status)
	}
	if strings.Contains(e.Client().Get("/").Body, "/dev/mail") {
		t.Fatal("the footer links to /dev/mail without --dev")
	}
}

// TestEveryEmailInEveryLanguage renders each email in each language.
func TestEveryEmailInEveryLanguage(t *testing.T) {
	cat := i18n.MustLoad()
	r, err := mail.NewRenderer(cat, "https://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	names := r.Names()
	if len(names) < 6 {
		t.Fatalf("only %d email templates: %v", len(names), names)
	}
	for _, name := range names {
		for _, lang := range i18n.Langs {
			m, err := r.Render(name, lang, "a@example.test", map[string]any{"Link": "https://portal.example/x", "Reason": "R<1>", "Name": "N", "Subject": "photo",
				"ID": 7, "Number": "P-2026-000007", "Status": "approved", "ReasonKey": "permit.reject.other", "Permit": "WP-2026-000003", "Until": "2027-05-01", "Closes": "2027-04-01"})
			if err != nil {
				t.Fatalf("%s/%s: %v", name, lang, err)
			}
			for _, part := range []string{m.Subject, m.Text, m.HTML} {
				if part == "" || strings.Contains(part, i18n.Missing) {
					t.Errorf("%s/%s: empty or untranslated part:\n%s", name, lang, part)
				}
			}
			if strings.Contains(m.HTML, "R<1>") {
				t.Errorf("%s/%s: data not escaped in HTML", name, lang)
			}
		}
	}
}

// TestAuditVerifyCommand: `emgek audit verify` passes on an intact log and
// fails naming the row after someone changed it in the database.
func TestAuditVerifyCommand(t *testing.T) {
	data := t.TempDir()
	e := env(map[string]string{"EMGEK_DATA": data})
	var out, errOut bytes.Buffer
	for _, email := range []string{"a@ministry.example", "b@ministry.example"} {
		if code := app.Main(t.Context(), []string{"emgek", "operator", "add", "--email", email, "--name", "N", "--role", "operator"},
			e, strings.NewReader("a long enough password\n"), &out, &errOut); code != 0 {
			t.Fatalf("operator add: %s", errOut.String())
		}
	}
	// What the server's sealer job does every minute.
	key, err := keyfile.Load(filepath.Join(data, "keys", "audit.ed25519.pem"), false)
	if err != nil {
		t.Fatal(err)
	}
	sdb, err := db.Open(t.Context(), "sqlite:"+filepath.Join(data, "emgek.db"))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := (&audit.Sealer{DB: sdb, Key: key, Now: time.Now}).Seal(t.Context()); err != nil || n != 2 {
		t.Fatalf("sealed %d, %v", n, err)
	}
	sdb.Close()
	out.Reset()
	if code := app.Main(t.Context(), []string{"emgek", "audit", "verify"}, e, nil, &out, &errOut); code != 0 || !strings.Contains(out.String(), "OK") {
		t.Fatalf("intact log: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	d, err := db.Open(t.Context(), "sqlite:"+filepath.Join(data, "emgek.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`DROP TRIGGER audit_events_no_update`, `UPDATE audit_events SET detail = 'forged' WHERE id = 2`} {
		if _, err := d.Exec(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	d.Close()
	out.Reset()
	errOut.Reset()
	code := app.Main(t.Context(), []string{"emgek", "audit", "verify"}, e, nil, &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "FAIL row 2 ") || !strings.Contains(errOut.String(), "tampered") {
		t.Fatalf("tampered log: exit %d\n%s%s", code, out.String(), errOut.String())
	}
}

// TestSeedApplications: `emgek demo --applications N` adds N applications
// of both services in many statuses, on both databases, and prints permits
// whose verification addresses it lists.
func TestSeedApplications(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			data := t.TempDir()
			vars := map[string]string{"EMGEK_DATA": data}
			if dialect == db.Postgres {
				vars["EMGEK_DATABASE_URL"] = dbtest.URL(t, dialect)
			}
			var out, errOut bytes.Buffer
			if code := app.Main(t.Context(), []string{"emgek", "demo", "--applications", "3000"}, env(vars), strings.NewReader(""), &out, &errOut); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			url := vars["EMGEK_DATABASE_URL"]
			if url == "" {
				url = "sqlite:" + filepath.Join(data, "emgek.db")
			}
			d, err := db.Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var cases, services, statuses int
			if err := d.QueryRow(t.Context(), `SELECT COUNT(*), COUNT(DISTINCT service), COUNT(DISTINCT status) FROM cases`).Scan(&cases, &services, &statuses); err != nil {
				t.Fatal(err)
			}
			if cases < 3000 || services != 2 || statuses < 8 {
				t.Fatalf("%d cases of %d services in %d statuses", cases, services, statuses)
			}
			var orphans int
			if err := d.QueryRow(t.Context(), `SELECT COUNT(*) FROM cases c WHERE NOT EXISTS (SELECT 1 FROM permits p WHERE p.case_id = c.id)
				AND NOT EXISTS (SELECT 1 FROM quota_applications q WHERE q.case_id = c.id)`).Scan(&orphans); err != nil || orphans != 0 {
				t.Fatalf("cases without details: %d %v", orphans, err)
			}
			urls, err := os.ReadFile(filepath.Join(data, "seed-verify-urls.txt"))
			if err != nil || !strings.Contains(string(urls), "/verify/v1.") {
				t.Fatalf("verification addresses: %q %v", urls, err)
			}
		})
	}
}
