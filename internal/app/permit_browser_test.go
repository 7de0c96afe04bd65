//go:build browser

package app_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/permit"
)

// TestBrowserPermit: an employer searches a banned person and is told
// why → searches an eligible one, fills in the form and sends it → an
// operator approves and issues → the employer prints the permit → its QR,
// read from the rendered PDF, opens a page that says valid → the operator
// revokes → the same QR now says revoked.
func TestBrowserPermit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		fx := newFixture(t, e)
		contract := filepath.Join(t.TempDir(), "contract.pdf")
		if err := os.WriteFile(contract, apptest.PDF, 0o644); err != nil {
			t.Fatal(err)
		}
		emp := newTab(t)
		c := fx.creds["employer"]
		run(t, emp, "login", chromedp.Navigate(e.URL+"/login"), chromedp.SendKeys(`#email`, c[0]),
			chromedp.SendKeys(`#password`, c[1]), chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`.govuk-summary-list`))
		run(t, emp, "open the search", chromedp.Navigate(e.URL+"/cabinet/permits"), chromedp.Click(`main a[href="/cabinet/permits/search"]`),
			chromedp.WaitVisible(`#number`))
		run(t, emp, "search a banned person", chromedp.SetValue(`#country`, "UZ"), chromedp.SendKeys(`#number`, "aa 000 0001"),
			chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`#refusals`))
		shot(t, emp, "refused")
		if s := text(t, emp, `#refusals`); !strings.Contains(s, "banned from entering") || !strings.Contains(s, "appeal") {
			t.Fatalf("the refusal says:\n%s", s)
		}
		if eval[int](t, emp, `document.querySelectorAll('form[action="/cabinet/permits/start"]').length`) != 0 {
			t.Fatal("a banned person can be continued with")
		}
		if v := eval[string](t, emp, `document.querySelector('#number').value`); v != "aa 000 0001" {
			t.Fatalf("the number typed was not kept: %q", v)
		}
		eval[any](t, emp, `document.querySelector('#number').value = ''`)
		run(t, emp, "search an eligible person", chromedp.SendKeys(`#number`, "AA0000007"),
			chromedp.Click(`main form[action="/cabinet/permits/search"] button`), chromedp.WaitVisible(`form[action="/cabinet/permits/start"]`))
		shot(t, emp, "eligible")
		run(t, emp, "continue", chromedp.Click(`form[action="/cabinet/permits/start"] button`), chromedp.WaitVisible(`#workplace`))
		today, _ := time.Parse(time.DateOnly, permit.Today(e.App.Kit.Now()))
		end := today.AddDate(0, 6, 0)
		// First without the end date: the message is at the field, the rest kept.
		run(t, emp, "fill in", chromedp.Click(`#quota_row`), chromedp.SendKeys(`#workplace`, "Bishkek, Chui Ave 1, building site 3"),
			chromedp.SendKeys(`#salary`, "45000"),
			chromedp.SendKeys(`#period_from-day`, strconv.Itoa(today.Day())), chromedp.SendKeys(`#period_from-month`, strconv.Itoa(int(today.Month()))),
			chromedp.SendKeys(`#period_from-year`, strconv.Itoa(today.Year())),
			chromedp.SetUploadFiles(`#file`, []string{contract}), chromedp.Click(`main form button[type=submit]`),
			chromedp.WaitVisible(`#period_to-error`))
		if v := eval[string](t, emp, `document.querySelector('#workplace').value`); !strings.HasPrefix(v, "Bishkek, Chui") {
			t.Fatalf("the workplace typed was lost: %q", v)
		}
		run(t, emp, "end date", chromedp.SendKeys(`#period_to-day`, strconv.Itoa(end.Day())), chromedp.SendKeys(`#period_to-month`, strconv.Itoa(int(end.Month()))),
			chromedp.SendKeys(`#period_to-year`, strconv.Itoa(end.Year())), chromedp.Click(`main form button[type=submit]`),
			chromedp.WaitVisible(`form[action$="/submit"]`))
		if s := text(t, emp, `main`); !strings.Contains(s, "contract.pdf") {
			t.Fatalf("the contract attached with the first try is gone:\n%s", s)
		}
		shot(t, emp, "check answers")
		run(t, emp, "send", chromedp.Click(`form[action$="/submit"] button`), chromedp.WaitNotPresent(`form[action$="/submit"]`))
		run(t, emp, "sent", chromedp.Poll[chromedp.Void](`document.querySelector('h1') && document.querySelector('h1').textContent.trim().startsWith('P-')`))
		number := text(t, emp, `h1`)
		if !strings.HasPrefix(number, "P-") {
			t.Fatalf("the application's number is %q", number)
		}
		var id int64
		if err := e.DB.QueryRow(t.Context(), `SELECT id FROM cases WHERE number = $1`, number).Scan(&id); err != nil {
			t.Fatal(err)
		}
		casePath := "/office/permits/" + strconv.FormatInt(id, 10)

		op := newTab(t)
		oc := fx.creds["operator"]
		run(t, op, "operator login", chromedp.Navigate(e.URL+"/office/login"), chromedp.SendKeys(`#email`, oc[0]),
			chromedp.SendKeys(`#password`, oc[1]), chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`.emgek-filter`))
		run(t, op, "queue", chromedp.Navigate(e.URL+"/office/permits"), chromedp.Click(`a[href="`+casePath+`"]`),
			chromedp.WaitVisible(`form[action$="/approve"]`))
		shot(t, op, "case")
		run(t, op, "approve", chromedp.Click(`form[action$="/approve"] button`), chromedp.WaitVisible(`form[action$="/issue"]`))
		run(t, op, "issue", chromedp.Click(`form[action$="/issue"] button`), chromedp.WaitNotPresent(`form[action$="/issue"]`))

		appPath := "/cabinet/permits/" + strconv.FormatInt(id, 10)
		run(t, emp, "see the permit", chromedp.Navigate(e.URL+appPath), chromedp.WaitVisible(`a[href$="permit.pdf"]`))
		shot(t, emp, "issued")
		url := qrOfPDF(t, emp, appPath+"/permit.pdf")
		checker := newTab(t)
		run(t, checker, "scan", chromedp.Navigate(url), chromedp.WaitVisible(`#permit-state`))
		shot(t, checker, "valid")
		if s := eval[string](t, checker, `document.querySelector('#permit-state').dataset.state`); s != "valid" {
			t.Fatalf("the QR's page says %q", s)
		}
		page1 := text(t, checker, `main`)
		a, err := e.App.Permits.ByCase(t.Context(), e.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		// Only what a checker needs: no name, passport, birth date or employer.
		for _, secret := range []string{a.Holder.Surname, a.Holder.GivenName, a.Holder.Number, a.Holder.BirthDate, "Org employer", a.Workplace} {
			if strings.Contains(strings.ToUpper(page1), strings.ToUpper(secret)) {
				t.Errorf("the verification page shows %q:\n%s", secret, page1)
			}
		}
		for _, want := range []string{a.PermitNumber, a.Holder.Initials(), a.ValidUntil} {
			if !strings.Contains(page1, want) {
				t.Errorf("the verification page lacks %q:\n%s", want, page1)
			}
		}

		run(t, op, "revoke", chromedp.Navigate(e.URL+casePath), chromedp.Click(`#revoke summary`),
			chromedp.SetValue(`#revoke_reason`, "employment_ended"), chromedp.Click(`form[action$="/revoke"] button`),
			chromedp.WaitNotPresent(`form[action$="/revoke"]`))
		run(t, checker, "scan again", chromedp.Navigate(url), chromedp.WaitVisible(`#permit-state`))
		shot(t, checker, "revoked")
		if s := eval[string](t, checker, `document.querySelector('#permit-state').dataset.state`); s != "revoked" {
			t.Fatalf("after revocation the QR's page says %q", s)
		}
		var checks int
		if err := e.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM audit_events WHERE action = 'document.verify' AND detail LIKE 'genuine %'`).Scan(&checks); err != nil || checks != 2 {
			t.Fatalf("verification checks logged: %d %v", checks, err)
		}
	})
}
