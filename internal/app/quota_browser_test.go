//go:build browser

package app_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/audit"
)

// TestBrowserQuota: an employer applies with three rows (the third added
// with the form's own button, no script involved) → an operator requests
// a document → the employer attaches it and sends again → the operator
// approves two rows fully and one partly → the employer sees the decision,
// downloads the extract, and its QR's page says it is genuine.
func TestBrowserQuota(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		fx := newFixture(t, e)
		by := audit.Event{Actor: "test"}
		for _, major := range []string{"2", "7"} {
			if err := e.App.Quotas.SetQuota(t.Context(), 2026, "KG-GB", major, 20, by); err != nil {
				t.Fatal(err)
			}
		}
		lease := filepath.Join(t.TempDir(), "lease.pdf")
		if err := os.WriteFile(lease, apptest.PDF, 0o644); err != nil {
			t.Fatal(err)
		}
		emp := newTab(t)
		c := fx.creds["employer"]
		run(t, emp, "login", chromedp.Navigate(e.URL+"/login"), chromedp.SendKeys(`#email`, c[0]),
			chromedp.SendKeys(`#password`, c[1]), chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`.govuk-summary-list`))
		run(t, emp, "open the form", chromedp.Navigate(e.URL+"/cabinet/quota"), chromedp.Click(`a[href="/cabinet/quota/new"]`), chromedp.WaitVisible(`#rows-0-country`))
		run(t, emp, "two rows",
			chromedp.SetValue(`#year`, "2026"), chromedp.SetValue(`#region`, "KG-GB"),
			chromedp.SetValue(`#rows-0-country`, "UZ"), chromedp.SendKeys(`#rows-0-occupation`, "7112"), chromedp.SendKeys(`#rows-0-requested`, "4"),
			chromedp.SendKeys(`#rows-0-justification`, "Housing project"),
			chromedp.Click(`button[value=add_row]`), chromedp.WaitVisible(`#rows-1-country`))
		run(t, emp, "second row", chromedp.SetValue(`#rows-1-country`, "TR"), chromedp.SendKeys(`#rows-1-occupation`, "2512"),
			chromedp.SendKeys(`#rows-1-requested`, "2"), chromedp.SendKeys(`#rows-1-justification`, "Site software"),
			chromedp.Click(`button[value=add_row]`), chromedp.WaitVisible(`#rows-2-country`))
		if v := eval[string](t, emp, `document.querySelector('#rows-0-justification').value`); v != "Housing project" {
			t.Fatalf("adding a row lost what was typed: %q", v)
		}
		run(t, emp, "third row", chromedp.SetValue(`#rows-2-country`, "CN"), chromedp.SendKeys(`#rows-2-occupation`, "7126"),
			chromedp.SendKeys(`#rows-2-requested`, "3"), chromedp.SendKeys(`#rows-2-justification`, "Plumbing"),
			chromedp.Click(`button[value=save]`), chromedp.WaitVisible(`.govuk-notification-banner--success`))
		shot(t, emp, "draft")
		run(t, emp, "send", chromedp.Click(`form[action$="/submit"] button`), chromedp.WaitNotPresent(`form[action$="/submit"]`))
		number := text(t, emp, `h1`)
		if !strings.HasPrefix(number, "Q-2026-") {
			t.Fatalf("the application's number is %q", number)
		}
		var id int64
		if err := e.DB.QueryRow(t.Context(), `SELECT id FROM cases WHERE number = $1`, number).Scan(&id); err != nil {
			t.Fatal(err)
		}
		casePath := "/office/quota/" + strconv.FormatInt(id, 10)

		op := newTab(t)
		oc := fx.creds["operator"]
		run(t, op, "operator login", chromedp.Navigate(e.URL+"/office/login"), chromedp.SendKeys(`#email`, oc[0]),
			chromedp.SendKeys(`#password`, oc[1]), chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`.emgek-filter`))
		run(t, op, "queue", chromedp.Navigate(e.URL+"/office/quota"), chromedp.Click(`a[href="`+casePath+`"]`), chromedp.WaitVisible(`#protocol_number`))
		run(t, op, "request a document", chromedp.Click(`details summary`), chromedp.SendKeys(`#message`, "Send the lease contract"),
			chromedp.Click(`form[action$="/request-documents"] button`), chromedp.WaitNotPresent(`#protocol_number`))

		run(t, emp, "attach", chromedp.Navigate(e.URL+"/cabinet/quota/"+strconv.FormatInt(id, 10)), chromedp.WaitVisible(`#file`),
			chromedp.SetUploadFiles(`#file`, []string{lease}), chromedp.Click(`form[action$="/documents"] button`),
			chromedp.WaitVisible(`a[href^="/cabinet/documents/"]`))
		run(t, emp, "send again", chromedp.Click(`form[action$="/submit"] button`), chromedp.WaitNotPresent(`form[action$="/submit"]`))

		run(t, op, "decide", chromedp.Navigate(e.URL+casePath), chromedp.WaitVisible(`#rows-2-approved`))
		if s := text(t, op, `main`); !strings.Contains(s, "lease.pdf") {
			t.Fatalf("the operator does not see the attached lease:\n%s", s)
		}
		eval[any](t, op, `document.querySelector('#rows-2-approved').value = ''`)
		run(t, op, "partly", chromedp.SendKeys(`#rows-2-approved`, "1"), chromedp.SetValue(`#rows-2-reason`, "quota_exhausted"),
			chromedp.SendKeys(`#protocol_number`, "7/2026"), chromedp.SendKeys(`#protocol_date-day`, "20"),
			chromedp.SendKeys(`#protocol_date-month`, "11"), chromedp.SendKeys(`#protocol_date-year`, "2026"))
		shot(t, op, "decision")
		run(t, op, "record", chromedp.Click(`form[action$="/decide"] button`), chromedp.WaitNotPresent(`#protocol_number`))

		run(t, emp, "see the decision", chromedp.Navigate(e.URL+"/cabinet/quota/"+strconv.FormatInt(id, 10)), chromedp.WaitVisible(`a[href$="extract.pdf"]`))
		shot(t, emp, "decided")
		if s := text(t, emp, `main`); !strings.Contains(s, "Decided") || !strings.Contains(s, "Quota exhausted") {
			t.Fatalf("the employer's page:\n%s", s)
		}
		// The download, as the browser fetches it with its session.
		url := qrOfPDF(t, emp, "/cabinet/quota/"+strconv.FormatInt(id, 10)+"/extract.pdf")
		checker := newTab(t)
		run(t, checker, "scan", chromedp.Navigate(url), chromedp.WaitVisible(`.govuk-panel__title`))
		shot(t, checker, "verify")
		if s := text(t, checker, `.govuk-panel__title`); s != "This document is genuine" {
			t.Fatalf("the QR's page says %q", s)
		}
	})
}

// TestOccupationSuggestions: typing in the occupation field offers
// matching ISCO-08 groups (the script's enhancement).
func TestOccupationSuggestions(t *testing.T) {
	e := apptest.New(t, "sqlite")
	fx := newFixture(t, e)
	tab := newTab(t)
	c := fx.creds["employer"]
	run(t, tab, "login", chromedp.Navigate(e.URL+"/login"), chromedp.SendKeys(`#email`, c[0]),
		chromedp.SendKeys(`#password`, c[1]), chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`.govuk-summary-list`))
	run(t, tab, "type", chromedp.Navigate(e.URL+"/cabinet/quota/new"), chromedp.WaitVisible(`#rows-0-occupation`),
		chromedp.SendKeys(`#rows-0-occupation`, "bricklay"), chromedp.WaitReady(`#rows-0-occupation-suggestions option`))
	if got := eval[string](t, tab, `document.querySelector('#rows-0-occupation-suggestions option').value`); !strings.HasPrefix(got, "7112 ") {
		t.Fatalf("the first suggestion is %q", got)
	}
}
