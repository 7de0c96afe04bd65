//go:build browser

package app_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/web"
)

// notPages are GET routes that answer with something other than a page.
var notPages = []string{"GET /static/", "GET /healthz", "GET /metrics", "GET /captcha/{file}", "GET /lang/{lang}",
	"GET /cabinet/documents/{id}", "GET /office/cabinets/{id}/documents/{doc}", "GET /occupations.json", "GET /verify/key", "GET /cabinet/quota/{id}/extract.pdf",
	"GET /cabinet/permits/{id}/permit.pdf"}

// TestAccessibilityCrawl opens every page in all four languages in a real
// browser, as the role that may see it, plus the pages with form errors,
// and fails on any serious or critical axe-core violation and on any
// untranslated message.
func TestAccessibilityCrawl(t *testing.T) {
	axePath := os.Getenv("EMGEK_TEST_AXE")
	if axePath == "" {
		t.Fatal("EMGEK_TEST_AXE is not set: run the tests with scripts/test.sh")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	e := apptest.New(t, "sqlite")
	fx := newFixture(t, e)
	// A pending cabinet and an invitation give those pages real content.
	invite := fx.cabinet("nomad", "pending-nomad@example.test")
	_, _ = e.DB.Exec(t.Context(), `UPDATE cabinets SET status = 'pending' WHERE id = $1`, invite)

	pages := map[web.Role][]string{}
	for _, r := range e.App.Router.Routes() {
		if r.Method != http.MethodGet || slices.Contains(notPages, r.Pattern) {
			continue
		}
		role := r.Roles[0]
		if role == web.Operator {
			role = web.Admin // admins see every staff page
		}
		pages[role] = append(pages[role], fx.path(r.Path))
	}
	checked := 0
	for _, lang := range i18n.Langs {
		for role, paths := range pages {
			t.Run(lang+"/"+string(role), func(t *testing.T) {
				ctx := newTab(t)
				c := fx.creds[role]
				switch role {
				case web.Operator, web.Admin:
					run(t, ctx, "login", chromedp.Navigate(e.URL+"/office/login"), chromedp.SendKeys(`#email`, c[0]),
						chromedp.SendKeys(`#password`, c[1]), chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.emgek-filter`))
				case web.Employer:
					run(t, ctx, "login", chromedp.Navigate(e.URL+"/login"), chromedp.SendKeys(`#email`, c[0]),
						chromedp.SendKeys(`#password`, c[1]), chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.govuk-summary-list`))
				}
				for _, p := range paths {
					if p == "/register/employer" {
						passStepTwo(t, ctx, e, lang)
					}
					run(t, ctx, "open "+p, chromedp.Navigate(e.URL+"/lang/"+lang+"?next="+p), chromedp.WaitVisible(`footer`))
					auditPage(t, ctx, axe, lang, p)
					checked++
				}
				if role == web.Employer {
					// A refused search, and the permit form with a mistake.
					run(t, ctx, "refused search", chromedp.Navigate(e.URL+"/cabinet/permits/search"), chromedp.SetValue(`#country`, "UZ"),
						chromedp.SendKeys(`#number`, "AA0000001"), chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`#refusals`))
					auditPage(t, ctx, axe, lang, "/cabinet/permits/search refused")
					run(t, ctx, "form with errors", chromedp.Navigate(e.URL+fx.path("/cabinet/permits/{id}/form")), chromedp.WaitVisible(`#salary`),
						chromedp.SetValue(`#salary`, "a lot"), chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`.govuk-error-summary`))
					auditPage(t, ctx, axe, lang, "/cabinet/permits/{id}/form with errors")
					checked += 2
				}
				if role == web.Anonymous {
					// Pages with errors: the summary and the messages at the fields.
					run(t, ctx, "empty start form", chromedp.Navigate(e.URL+"/register"), chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.govuk-error-summary`))
					auditPage(t, ctx, axe, lang, "/register with errors")
					passStepTwo(t, ctx, e, lang)
					run(t, ctx, "empty employer form", chromedp.Navigate(e.URL+"/register/employer"), chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.govuk-error-summary`))
					auditPage(t, ctx, axe, lang, "/register/employer with errors")
					run(t, ctx, "wrong login", chromedp.Navigate(e.URL+"/login"), chromedp.SendKeys(`#email`, "nobody@example.test"),
						chromedp.SendKeys(`#password`, "wrong password"), chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.govuk-error-summary`))
					auditPage(t, ctx, axe, lang, "/login with errors")
					checked += 3
				}
			})
		}
	}
	t.Logf("%d pages checked", checked)
}

// passStepTwo chooses the employer cabinet so its form can be opened.
func passStepTwo(t *testing.T, ctx context.Context, e *apptest.Env, lang string) {
	t.Helper()
	run(t, ctx, "step 2", chromedp.Navigate(e.URL+"/lang/"+lang+"?next=/register"), chromedp.WaitVisible(`#kind`))
	answer := captchaOnPage(t, ctx, e)
	run(t, ctx, "step 2", chromedp.Click(`#kind`), chromedp.Click(`#consent`), chromedp.SendKeys(`#captcha`, answer),
		chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`#email`))
}

// auditPage runs axe-core on the page and looks for untranslated messages.
func auditPage(t *testing.T, ctx context.Context, axe []byte, lang, page string) {
	t.Helper()
	if got := eval[string](t, ctx, `document.documentElement.lang`); got != lang {
		t.Errorf("%s: <html lang=%q>, want %q", page, got, lang)
	}
	if eval[bool](t, ctx, `(document.title + document.body.innerText).includes('`+i18n.Missing+`')`) {
		t.Errorf("%s in %s shows an untranslated message", page, lang)
	}
	violations := axeViolations(t, ctx, axe)
	for _, v := range violations {
		t.Errorf("%s (%s): %s", page, lang, v)
	}
	shot(t, ctx, fmt.Sprintf("%s-%s", lang, strings.ReplaceAll(page, "/", "_"))) // with EMGEK_TEST_SCREENSHOTS
}

// axeViolations runs axe-core on the page and returns its serious and
// critical violations.
func axeViolations(t *testing.T, ctx context.Context, axe []byte) []string {
	t.Helper()
	if !eval[bool](t, ctx, `typeof axe !== 'undefined'`) {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(axe))); err != nil {
			t.Fatalf("inject axe: %v", err)
		}
	}
	if eval[string](t, ctx, `axe.version`) == "" {
		t.Fatal("axe-core did not load")
	}
	js := `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})
		.then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
		.map(v => v.impact + ' ' + v.id + ': ' + v.help + ' @ ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))`
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	return v
}

// TestAxeFindsViolations proves the crawl's check can fail: an input
// without a label on a real page is reported.
func TestAxeFindsViolations(t *testing.T) {
	axe, err := os.ReadFile(os.Getenv("EMGEK_TEST_AXE"))
	if err != nil {
		t.Fatal("EMGEK_TEST_AXE: ", err)
	}
	e := apptest.New(t, "sqlite")
	ctx := newTab(t)
	run(t, ctx, "open", chromedp.Navigate(e.URL+"/login"), chromedp.WaitVisible(`#email`))
	if v := axeViolations(t, ctx, axe); len(v) != 0 {
		t.Fatalf("the login page already has violations: %v", v)
	}
	eval[any](t, ctx, `document.querySelector('label[for=email]').remove()`)
	if v := axeViolations(t, ctx, axe); len(v) == 0 {
		t.Fatal("axe reported nothing for an input without a label")
	}
}
