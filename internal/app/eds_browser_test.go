//go:build browser

package app_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/ncalayer"
	"github.com/emgek/emgek/internal/registry"
)

// TestBrowserEDS walks Kazakhstan's certificate login and signing in a
// real browser, through the page's own NCALayer client talking to the
// development stand-in: a citizen registers and logs in by certificate;
// cancelling in the signer leaves the page usable with a message; an
// organisation's head registers it, logs in, adds a signer and signs the
// organisation's data; with the stand-in stopped, the page says NCALayer
// is not running. Each page is checked with axe.
func TestBrowserEDS(t *testing.T) {
	axe, err := os.ReadFile(os.Getenv("EMGEK_TEST_AXE"))
	if err != nil {
		t.Fatal("EMGEK_TEST_AXE: ", err)
	}
	e := apptest.New(t, "sqlite")
	standIn, pki := e.App.StandIn, e.App.DevPKI
	citizen, head, signer := pki.Identity("citizen"), pki.Identity("head"), pki.Identity("signer")
	person, err := (&registry.DemoIndividuals{}).Individual(t.Context(), citizen.IIN)
	if err != nil {
		t.Fatal(err)
	}

	// signIn signs /login/eds's challenge in the tab with the identity.
	signIn := func(ctx context.Context, who string, wait string) {
		t.Helper()
		if err := standIn.Select(who); err != nil {
			t.Fatal(err)
		}
		run(t, ctx, "sign in as "+who, chromedp.Navigate(e.URL+"/login/eds"), chromedp.WaitVisible(`#sign`),
			chromedp.Click(`#sign`), chromedp.WaitVisible(wait))
	}

	// auditAll checks the page at path in every language, English last.
	auditAll := func(ctx context.Context, path string) {
		t.Helper()
		for _, lang := range i18n.Langs {
			run(t, ctx, "open "+path+" in "+lang, chromedp.Navigate(e.URL+"/lang/"+lang+"?next="+path), chromedp.WaitVisible(`footer`))
			auditPage(t, ctx, axe, lang, path)
		}
	}

	// A citizen: from the login page to the certificate, then registration.
	ctx := newTab(t)
	run(t, ctx, "login page", chromedp.Navigate(e.URL+"/login"), chromedp.Click(`a[href="/login/eds"]`), chromedp.WaitVisible(`#sign`))
	auditAll(ctx, "/login/eds")
	signIn(ctx, "citizen", `#email`)
	if loc := eval[string](t, ctx, `location.pathname`); loc != "/register/citizen" {
		t.Fatalf("after signing, the browser is at %s", loc)
	}
	if s := text(t, ctx, `main`); !strings.Contains(s, person.Surname) || !strings.Contains(s, citizen.IIN) {
		t.Fatalf("the registration page does not show the registry's record:\n%s", s)
	}
	auditAll(ctx, "/register/citizen")
	run(t, ctx, "register", chromedp.SendKeys(`#email`, "kz-citizen@example.kz"), chromedp.SendKeys(`#phone`, "+77011234567"),
		chromedp.SendKeys(`#password`, apptest.Password), chromedp.SendKeys(`#password_confirm`, apptest.Password),
		chromedp.Click(`#consent`), chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`.govuk-panel--confirmation`))
	link := apptest.LinkIn(t, e.Outbox("kz-citizen@example.kz", ""), e.URL+"/register/confirm/")
	run(t, ctx, "confirm", chromedp.Navigate(link), chromedp.WaitVisible(`.govuk-panel--confirmation`))

	// Cancel in the signer: a message, and the page still works.
	standIn.SetNext(ncalayer.Cancel)
	run(t, ctx, "cancel", chromedp.Navigate(e.URL+"/login/eds"), chromedp.WaitVisible(`#sign`), chromedp.Click(`#sign`),
		chromedp.WaitVisible(`#sign-status`))
	if s := text(t, ctx, `#sign-status`); !strings.Contains(s, "cancelled") {
		t.Fatalf("after cancelling the page says %q", s)
	}
	auditPage(t, ctx, axe, "en", "/login/eds cancelled")
	run(t, ctx, "sign after cancelling", chromedp.Click(`#sign`), chromedp.WaitVisible(`.govuk-summary-list`))
	if s := text(t, ctx, `h1`); !strings.Contains(s, person.Surname) {
		t.Fatalf("the citizen's cabinet is headed %q", s)
	}

	// The head registers the organisation and logs in.
	org := newTab(t)
	signIn(org, "head", `#email`)
	run(t, org, "register the organisation", chromedp.SendKeys(`#email`, "kz-org@example.kz"), chromedp.SendKeys(`#phone`, "+77012223344"),
		chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`.govuk-panel--confirmation`))
	link = apptest.LinkIn(t, e.Outbox("kz-org@example.kz", ""), e.URL+"/register/confirm/")
	run(t, org, "confirm", chromedp.Navigate(link), chromedp.WaitVisible(`.govuk-panel--confirmation`))
	signIn(org, "head", `.govuk-summary-list`)

	// The head adds a signer and signs the organisation's data.
	run(t, org, "organisation", chromedp.Click(`a[href="/cabinet/organisation"]`), chromedp.WaitVisible(`#iin`),
		chromedp.SendKeys(`#iin`, signer.IIN), chromedp.Click(`#role`), chromedp.Click(`form[action="/cabinet/organisation/members"] button`),
		chromedp.WaitVisible(`.govuk-notification-banner--success`))
	if s := text(t, org, `main table`); !strings.Contains(s, signer.IIN) {
		t.Fatalf("the members' table does not list the signer:\n%s", s)
	}
	auditAll(org, "/cabinet/organisation")
	run(t, org, "sign the data", chromedp.Click(`#sign`), chromedp.WaitVisible(`#signed`))
	if s := text(t, org, `main`); !strings.Contains(s, head.IIN) || !strings.Contains(s, head.Sign.Cert.SerialNumber.Text(16)) {
		t.Fatalf("the signature is not shown with the signer and the certificate:\n%s", s)
	}

	// NCALayer not running.
	if err := standIn.Close(); err != nil {
		t.Fatal(err)
	}
	anon := newTab(t)
	run(t, anon, "no NCALayer", chromedp.Navigate(e.URL+"/login/eds"), chromedp.WaitVisible(`#sign`), chromedp.Click(`#sign`),
		chromedp.WaitVisible(`#sign-status`))
	if s := text(t, anon, `#sign-status`); !strings.Contains(s, "NCALayer is not running") {
		t.Fatalf("without NCALayer the page says %q", s)
	}
	if disabled := eval[bool](t, anon, `document.querySelector('#sign').disabled`); disabled {
		t.Fatal("the button stays disabled")
	}
}
