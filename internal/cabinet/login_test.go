package cabinet_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/apptest"
)

// activeEmployer registers, confirms and activates an employer.
func activeEmployer(t *testing.T, e *apptest.Env, email string) {
	t.Helper()
	c := e.Client()
	if r := c.Get(e.RegisterEmployer(c, email)); r.Status != http.StatusOK {
		t.Fatalf("confirm: %d", r.Status)
	}
	op := e.Client()
	em, pw := e.NewStaff("operator")
	e.LoginStaff(op, em, pw)
	if r := op.Post("/office/cabinets/"+itoa(e.CabinetID(email))+"/activate", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("activate: %d", r.Status)
	}
}

// TestLoginThrottling: after five failures the account must wait, with a
// 429 that says how long; the owner's browser, which logged in before,
// is not held back by an attacker's failures.
func TestLoginThrottling(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		email := "throttled@example.test"
		activeEmployer(t, e, email)
		owner := e.Client()
		if r := owner.Login(email, apptest.Password); r.Status != http.StatusSeeOther {
			t.Fatalf("owner login: %d", r.Status)
		}
		owner.Post("/logout", nil)

		attacker := e.Client()
		for i := range 5 {
			if r := attacker.Login(email, "wrong password "+itoa(int64(i))); r.Status != http.StatusUnprocessableEntity ||
				!strings.Contains(r.Body, "The email or the password is not correct") {
				t.Fatalf("failure %d: %d", i, r.Status)
			}
		}
		r := attacker.Login(email, "wrong again")
		if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Wait 2 seconds") {
			t.Fatalf("sixth failure: %d, want 429 asking to wait 2 seconds\n%s", r.Status, fieldError(r.Body, "email"))
		}
		if r := attacker.Login(email, apptest.Password); r.Status != http.StatusTooManyRequests {
			t.Fatalf("the right password during the delay from a new browser: %d, want 429", r.Status)
		}
		if r := owner.Login(email, apptest.Password); r.Status != http.StatusSeeOther {
			t.Fatalf("the owner's browser during the attack: %d, want to get in\n%s", r.Status, r.Body)
		}
		time.Sleep(2100 * time.Millisecond)
		if r := e.Client().Login(email, apptest.Password); r.Status != http.StatusSeeOther {
			t.Fatalf("after the delay: %d, want to get in", r.Status)
		}
	})
}

// TestPasswordReset walks S1 step 24 and checks the link is single-use
// and that the old password and the other sessions stop working.
func TestPasswordReset(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		email := "reset@example.test"
		activeEmployer(t, e, email)
		other := e.Client()
		if r := other.Login(email, apptest.Password); r.Status != http.StatusSeeOther {
			t.Fatal(r.Status)
		}

		c := e.Client()
		page := c.Get("/password/forgot")
		r := c.Post("/password/forgot", url.Values{"email": {email}, "captcha_id": {apptest.HiddenValue(page.Body, "captcha_id")}, "captcha": {e.CaptchaAnswer(page.Body)}})
		if r.Status != http.StatusSeeOther || r.Location != "/password/forgot/sent" {
			t.Fatalf("forgot: %d %s", r.Status, r.Location)
		}
		// A stranger asking for an unknown address sees the same answer.
		page = c.Get("/password/forgot")
		r2 := c.Post("/password/forgot", url.Values{"email": {"nobody@example.test"}, "captcha_id": {apptest.HiddenValue(page.Body, "captcha_id")}, "captcha": {e.CaptchaAnswer(page.Body)}})
		if r2.Status != r.Status || r2.Location != r.Location {
			t.Fatalf("unknown address answered %d %s, known %d %s", r2.Status, r2.Location, r.Status, r.Location)
		}
		link := apptest.LinkIn(t, e.Outbox(email, "new password"), e.URL+"/password/reset/")
		if r := c.Get(link); r.Status != http.StatusOK || !strings.Contains(r.Body, `name="password_confirm"`) {
			t.Fatalf("reset form: %d", r.Status)
		}
		if r := c.Post(link, url.Values{"password": {"a new long password 1"}, "password_confirm": {"a new long password 2"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(fieldError(r.Body, "password_confirm"), "do not match") {
			t.Fatalf("mismatch: %d", r.Status)
		}
		newPW := "a brand new long password"
		if r := c.Post(link, url.Values{"password": {newPW}, "password_confirm": {newPW}}); r.Status != http.StatusSeeOther || r.Location != "/password/reset-done" {
			t.Fatalf("reset: %d %s", r.Status, r.Location)
		}
		if r := c.Get(link); r.Status != http.StatusNotFound || !strings.Contains(r.Body, "already been used") {
			t.Fatalf("second use: %d", r.Status)
		}
		if r := c.Login(email, apptest.Password); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("old password: %d, want refused", r.Status)
		}
		if r := c.Login(email, newPW); r.Status != http.StatusSeeOther {
			t.Fatalf("new password: %d", r.Status)
		}
		if r := other.Get("/cabinet"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Fatalf("a session from before the reset: %d %s, want it ended", r.Status, r.Location)
		}
	})
}

// TestAlreadyRegistered: registering a taken email looks like success to
// the person at the form; the address's owner is told by email.
func TestAlreadyRegistered(t *testing.T) {
	e := apptest.New(t, "sqlite")
	email := "taken@example.test"
	e.RegisterEmployer(e.Client(), email)
	e.SubmitEmployer(e.Client(), strings.ToUpper(email))
	text := e.Outbox(email, "Registration with your email address")
	if !strings.Contains(text, "already exists") {
		t.Fatalf("owner's email:\n%s", text)
	}
	var n int
	if err := e.DB.QueryRow(t.Context(), `SELECT count(*) FROM cabinets`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d cabinets, want 1 (%v)", n, err)
	}
	var docs int
	if err := e.DB.QueryRow(t.Context(), `SELECT count(*) FROM documents`).Scan(&docs); err != nil || docs != 1 {
		t.Fatalf("%d documents kept, want only the first registration's 1 (%v)", docs, err)
	}
}

// TestChangePassword: the current password is required and checked.
func TestChangePassword(t *testing.T) {
	e := apptest.New(t, "sqlite")
	email := "change@example.test"
	activeEmployer(t, e, email)
	c := e.Client()
	c.Login(email, apptest.Password)
	r := c.Post("/cabinet/password", url.Values{"current_password": {"not it"}, "password": {"another long password"}, "password_confirm": {"another long password"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.Body, "current_password"), "not correct") {
		t.Fatalf("wrong current: %d", r.Status)
	}
	r = c.Post("/cabinet/password", url.Values{"current_password": {apptest.Password}, "password": {"another long password"}, "password_confirm": {"another long password"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", r.Status, r.Body)
	}
	if r := c.Get("/cabinet"); r.Status != http.StatusOK {
		t.Fatalf("the changing browser stays logged in: %d", r.Status)
	}
}

// TestCrossOriginPost: a form posted from another site is refused.
func TestCrossOriginPost(t *testing.T) {
	e := apptest.New(t, "sqlite")
	r := e.Client().PostFrom("https://evil.example", "/login", url.Values{"email": {"a@example.test"}, "password": {"x"}})
	if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "another website") {
		t.Fatalf("cross-origin POST: %d, want 403", r.Status)
	}
}

// TestParallelGuesses: guesses sent at once are counted as they arrive,
// not after their slow password checks: only five are checked.
func TestParallelGuesses(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		email := "parallel@example.test"
		activeEmployer(t, e, email)
		const n = 24
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { statuses[i] = e.Client().Login(email, "guess "+itoa(int64(i))).Status })
		}
		wg.Wait()
		checked, refused := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusUnprocessableEntity:
				checked++
			case http.StatusTooManyRequests:
				refused++
			default:
				t.Errorf("status %d", s)
			}
		}
		if checked != 5 || refused != n-5 {
			t.Fatalf("%d guesses checked, %d refused; want 5 and %d", checked, refused, n-5)
		}
	})
}

// TestConfirmationLinkExpiry: the link works 24 hours; after that the
// page says so and a new link can be asked for, which voids the old one.
func TestConfirmationLinkExpiry(t *testing.T) {
	e := apptest.New(t, "sqlite")
	email := "late@example.test"
	c := e.Client()
	old := e.RegisterEmployer(c, email)
	e.Advance(24*time.Hour + time.Minute)
	r := c.Get(old)
	if r.Status != http.StatusNotFound || !strings.Contains(r.Body, "This link has expired") || !strings.Contains(r.Body, `href="/register/resend"`) {
		t.Fatalf("expired link: %d", r.Status)
	}
	page := c.Get("/register/resend")
	r = c.Post("/register/resend", url.Values{"email": {email}, "captcha_id": {apptest.HiddenValue(page.Body, "captcha_id")}, "captcha": {e.CaptchaAnswer(page.Body)}})
	if r.Status != http.StatusSeeOther || r.Location != "/register/sent" {
		t.Fatalf("resend: %d %s", r.Status, r.Location)
	}
	deadline := time.Now().Add(10 * time.Second)
	for e.OutboxCount(email) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	msgs, err := e.App.Outbox.List(t.Context(), 10)
	if err != nil || len(msgs) < 2 {
		t.Fatalf("outbox: %v %v", msgs, err)
	}
	fresh := apptest.LinkIn(t, msgs[0].Message.Text, e.URL+"/register/confirm/")
	if fresh == old {
		t.Fatal("the new email carries the old link")
	}
	if r := c.Get(fresh); r.Status != http.StatusOK {
		t.Fatalf("new link: %d", r.Status)
	}
}
