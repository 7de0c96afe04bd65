//go:build browser

package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/emgek/emgek/internal/apptest"
)

// TestBrowserJourney: an employer registers in a real browser, confirms
// the address from the email Mailpit received, an operator activates the
// cabinet, and the employer logs in and sees it — on both databases.
func TestBrowserJourney(t *testing.T) {
	mp := apptest.SharedMailpit(t)
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		email := fmt.Sprintf("browser-%s-%d@example.test", e.DB.Dialect, time.Now().UnixNano())
		pdf := filepath.Join(t.TempDir(), "certificate.pdf")
		if err := os.WriteFile(pdf, apptest.PDF, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx := newTab(t)
		run(t, ctx, "open registration", chromedp.Navigate(e.URL+"/"), chromedp.Click(`a[href="/register"].govuk-button`), chromedp.WaitVisible(`#kind`))
		answer := captchaOnPage(t, ctx, e)
		run(t, ctx, "step 2",
			chromedp.Click(`#kind`), chromedp.Click(`#consent`), chromedp.SendKeys(`#captcha`, answer),
			chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`#org_name`))
		shot(t, ctx, "form")
		fields := map[string]string{}
		for _, f := range apptest.EmployerFields(email) {
			fields[f[0]] = f[1]
		}
		steps := []chromedp.Action[chromedp.Void]{}
		for _, f := range []string{"org_name", "inn", "registered_address", "actual_address", "head_name", "phone", "email", "password", "password_confirm"} {
			steps = append(steps, chromedp.SendKeys("#"+f, fields[f]))
		}
		steps = append(steps, chromedp.SetValue(`#legal_form`, "llc"),
			chromedp.SetUploadFiles(`#registration_certificate`, []string{pdf}),
			chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.govuk-panel--confirmation`))
		run(t, ctx, "registration form", steps...)
		if s := text(t, ctx, `.govuk-panel__title`); !strings.Contains(s, "Check your email") {
			t.Fatalf("after registering the page says %q", s)
		}

		msg := mp.Wait(t, email, 1, 30*time.Second)[0]
		link := apptest.LinkIn(t, msg.Text, e.URL+"/register/confirm/")
		run(t, ctx, "confirm", chromedp.Navigate(link), chromedp.WaitVisible(`.govuk-panel__title`))
		if s := text(t, ctx, `.govuk-panel__title`); !strings.Contains(s, "confirmed") {
			t.Fatalf("confirmation page says %q", s)
		}

		opEmail, opPW := e.NewStaff("operator")
		op := newTab(t)
		run(t, op, "operator login", chromedp.Navigate(e.URL+"/office/login"),
			chromedp.SendKeys(`#email`, opEmail), chromedp.SendKeys(`#password`, opPW),
			chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`table.govuk-table`))
		run(t, op, "open the cabinet", chromedp.Click(`a[href^="/office/cabinets/"]`), chromedp.WaitVisible(`#decision`))
		shot(t, op, "cabinet")
		run(t, op, "activate", chromedp.Click(`#decision button`), chromedp.WaitVisible(`.govuk-notification-banner--success`))
		mp.Wait(t, email, 2, 30*time.Second) // the activation email

		run(t, ctx, "login", chromedp.Navigate(e.URL+"/login"),
			chromedp.SendKeys(`#email`, email), chromedp.SendKeys(`#password`, apptest.Password),
			chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.govuk-summary-list`))
		shot(t, ctx, "cabinet")
		if s := text(t, ctx, `h1`); s != "Test Build LLC" {
			t.Fatalf("the cabinet's heading is %q", s)
		}
		if loc := eval[string](t, ctx, `location.pathname`); loc != "/cabinet" {
			t.Fatalf("after login the browser is at %s", loc)
		}
	}, apptest.WithSMTP(os.Getenv("EMGEK_TEST_SMTP_URL")+"?tls=none"))
}

// captchaOnPage reads the anti-bot answer for the code on the page.
func captchaOnPage(t *testing.T, ctx context.Context, e *apptest.Env) string {
	t.Helper()
	id := eval[string](t, ctx, `document.querySelector('[name=captcha_id]').value`)
	a, err := e.App.Captcha.Answer(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
