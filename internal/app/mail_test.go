package app_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/dbtest"
)

// TestMailOverSMTP: the confirmation email goes through a real SMTP
// server, in the applicant's language, with a working link.
func TestMailOverSMTP(t *testing.T) {
	mp := apptest.SharedMailpit(t)
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		c := e.Client()
		c.Lang = "ky"
		email := fmt.Sprintf("smtp-%s-%d@example.test", e.DB.Dialect, time.Now().UnixNano())
		e.SubmitEmployer(c, email)
		msgs := mp.Wait(t, email, 1, 20*time.Second)
		m := msgs[0]
		if !strings.Contains(m.HTML, "Click here") || !strings.Contains(m.Text, e.URL+"/register/confirm/") {
			t.Fatalf("confirmation email lacks its link:\n%s", m.Text)
		}
		l := e.App.Kit.Catalog.Localizer("ky")
		if m.Subject != l.T("mail.confirm_email.subject") {
			t.Errorf("subject %q is not the Kyrgyz one %q", m.Subject, l.T("mail.confirm_email.subject"))
		}
		link := apptest.LinkIn(t, m.Text, e.URL+"/register/confirm/")
		if r := c.Get(link); r.Status != http.StatusOK {
			t.Fatalf("the emailed link answered %d", r.Status)
		}
	}, apptest.WithSMTP(os.Getenv("EMGEK_TEST_SMTP_URL")+"?tls=none"))
}

// TestMailDuringSMTPOutage: with the SMTP server down registrations still
// succeed; when it comes back every email arrives exactly once.
func TestMailDuringSMTPOutage(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			mp := apptest.NewMailpit(t, apptest.FreePort(t))
			e := apptest.New(t, dialect, apptest.WithSMTP(mp.SMTP))
			var emails []string
			for i := range 3 {
				email := fmt.Sprintf("outage-%d@example.test", i)
				e.SubmitEmployer(e.Client(), email)
				emails = append(emails, email)
			}
			time.Sleep(time.Second) // let attempts fail against the closed port
			mp.Start(t)
			for _, email := range emails {
				mp.Wait(t, email, 1, 30*time.Second)
			}
			time.Sleep(2 * time.Second) // a duplicate would arrive by now
			for _, email := range emails {
				if n := len(mp.Search(t, email)); n != 1 {
					t.Errorf("%s received %d emails, want exactly 1", email, n)
				}
			}
		})
	}
}

// TestMailSurvivesKill: emgek is killed with SIGKILL while SMTP is down;
// after a restart, with SMTP back, every email arrives exactly once.
func TestMailSurvivesKill(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "emgek")
	build := exec.Command("go", "build", "-o", bin, "github.com/emgek/emgek/cmd/emgek")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := t.TempDir()
	mp := apptest.NewMailpit(t, apptest.FreePort(t))
	addr := fmt.Sprintf("127.0.0.1:%d", apptest.FreePort(t))
	base := "http://" + addr
	if out, err := exec.Command(bin, "keygen", "--data", data).CombinedOutput(); err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--addr", addr, "--data", data)
		cmd.Env = append(os.Environ(), "EMGEK_SMTP_URL="+mp.SMTP, "EMGEK_BASE_URL="+base, "EMGEK_DEV=")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
		waitHealthy(t, base)
		return cmd
	}
	srv := start()
	answers, err := sql.Open("sqlite", "file:"+filepath.Join(data, "emgek.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer answers.Close()
	c := apptest.NewClient(t, base)
	var emails []string
	for i := range 2 {
		email := fmt.Sprintf("killed-%d@example.test", i)
		registerExternal(t, c, answers, email)
		emails = append(emails, email)
	}
	// Kill only once every email has failed at least once against the dead
	// SMTP server: the jobs now wait for their retry.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var failed int
		if err := answers.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'send_mail' AND attempt > 0 AND state = 'retryable'`).Scan(&failed); err != nil {
			t.Fatal(err)
		}
		if failed == len(emails) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d emails failed before the kill", failed, len(emails))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_, _ = srv.Process.Wait()

	mp.Start(t)
	start()
	for _, email := range emails {
		mp.Wait(t, email, 1, 90*time.Second)
	}
	time.Sleep(2 * time.Second)
	for _, email := range emails {
		if n := len(mp.Search(t, email)); n != 1 {
			t.Errorf("%s received %d emails, want exactly 1", email, n)
		}
	}
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := http.Get(base + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("emgek did not become healthy")
}

// registerExternal registers an employer on a server in another process,
// reading the anti-bot answer from its database.
func registerExternal(t *testing.T, c *apptest.Client, answers *sql.DB, email string) {
	t.Helper()
	page := c.Get("/register")
	id := apptest.HiddenValue(page.Body, "captcha_id")
	var answer string
	if err := answers.QueryRow(`SELECT answer FROM captchas WHERE id = ?`, id).Scan(&answer); err != nil {
		t.Fatal(err)
	}
	r := c.Post("/register", url.Values{"kind": {"employer"}, "consent": {"yes"}, "captcha_id": {id}, "captcha": {answer}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("register start: %d", r.Status)
	}
	form := c.Get(r.Location)
	fields := append([][2]string{{"draft", apptest.HiddenValue(form.Body, "draft")}}, apptest.EmployerFields(email)...)
	r = c.PostMultipart("/register/employer", fields, []apptest.File{{Field: "registration_certificate", Name: "c.pdf", Content: apptest.PDF}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("register: %d\n%s", r.Status, r.Body)
	}
}
