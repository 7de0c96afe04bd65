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

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apptest"
)

// TestBrowserProfileChange: the owner changes the address and uploads a
// new photo; both show as pending; an operator approves the address and
// refuses the photo with a reason; the owner sees the new address, the
// old photo and the reason, and got two emails.
func TestBrowserProfileChange(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		fx := newFixture(t, e)
		email := "changing-fie@example.test"
		fx.cabinet(account.FIE, email)
		photo := filepath.Join(t.TempDir(), "new-photo.png")
		if err := os.WriteFile(photo, apptest.PNG, 0o644); err != nil {
			t.Fatal(err)
		}

		owner := newTab(t)
		run(t, owner, "login", chromedp.Navigate(e.URL+"/login"), chromedp.SendKeys(`#email`, email),
			chromedp.SendKeys(`#password`, apptest.Password), chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.govuk-summary-list`))
		run(t, owner, "edit", chromedp.Navigate(e.URL+"/cabinet/profile"), chromedp.Click(`a[href="/cabinet/profile/edit"]`),
			chromedp.WaitVisible(`#address`))
		eval[any](t, owner, `document.querySelector('#address').value = ''`)
		run(t, owner, "send", chromedp.SendKeys(`#address`, "Bishkek, Erkindik Blvd 5"),
			chromedp.Click(`main form button[type=submit]`), chromedp.WaitVisible(`.govuk-notification-banner--success`))
		run(t, owner, "photo", chromedp.Click(`a[href="/cabinet/profile/update/photo"]`), chromedp.WaitVisible(`#file`),
			chromedp.SetUploadFiles(`#file`, []string{photo}), chromedp.Click(`main form button[type=submit]`),
			chromedp.WaitVisible(`.govuk-notification-banner--success`))
		shot(t, owner, "pending")
		page := text(t, owner, `main`)
		if strings.Count(page, "Pending review") < 3 || !strings.Contains(page, "Pending review: Bishkek, Erkindik Blvd 5") {
			t.Fatalf("the pending changes are not marked:\n%s", page)
		}
		if !strings.Contains(page, "Bishkek\n") && !strings.Contains(page, "Bishkek ") {
			t.Fatalf("the approved address is not shown:\n%s", page)
		}

		var dataID, photoID int64
		if err := e.DB.QueryRow(t.Context(), `SELECT id FROM change_requests WHERE subject = 'profile' AND status = 'pending' AND cabinet_id = $1`, e.CabinetID(email)).Scan(&dataID); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.QueryRow(t.Context(), `SELECT id FROM change_requests WHERE subject = 'photo' AND cabinet_id = $1`, e.CabinetID(email)).Scan(&photoID); err != nil {
			t.Fatal(err)
		}
		op := newTab(t)
		c := fx.creds["operator"]
		run(t, op, "operator login", chromedp.Navigate(e.URL+"/office/login"), chromedp.SendKeys(`#email`, c[0]),
			chromedp.SendKeys(`#password`, c[1]), chromedp.Click(`form button[type=submit]`), chromedp.WaitVisible(`.emgek-filter`))
		run(t, op, "queue", chromedp.Click(`a[href="/office/changes"]`), chromedp.WaitVisible(`a[href="/office/changes/`+strconv.FormatInt(dataID, 10)+`"]`))
		run(t, op, "approve the address", chromedp.Navigate(e.URL+"/office/changes/"+strconv.FormatInt(dataID, 10)),
			chromedp.WaitVisible(`#decision`))
		if s := text(t, op, `table`); !strings.Contains(s, "Bishkek, Erkindik Blvd 5") {
			t.Fatalf("the operator does not see old → new:\n%s", s)
		}
		run(t, op, "approve", chromedp.Click(`#decision button`), chromedp.WaitVisible(`.govuk-notification-banner--success`))
		run(t, op, "refuse the photo", chromedp.Navigate(e.URL+"/office/changes/"+strconv.FormatInt(photoID, 10)),
			chromedp.WaitVisible(`#reason`))
		shot(t, op, "photo-change")
		run(t, op, "refuse", chromedp.SendKeys(`#reason`, "The face is not visible"),
			chromedp.Click(`form[action$="/reject"] button`), chromedp.WaitVisible(`.govuk-notification-banner--success`))

		run(t, owner, "reload", chromedp.Navigate(e.URL+"/cabinet/profile"), chromedp.WaitVisible(`.govuk-summary-list`))
		shot(t, owner, "decided")
		page = text(t, owner, `main`)
		for _, want := range []string{"Bishkek, Erkindik Blvd 5", "doc.pdf", "The face is not visible", "Approved", "Refused"} {
			if !strings.Contains(page, want) {
				t.Errorf("after the decisions the page lacks %q:\n%s", want, page)
			}
		}
		if strings.Contains(page, "Pending review") {
			t.Errorf("something is still marked pending:\n%s", page)
		}
		deadline := time.Now().Add(10 * time.Second)
		for e.OutboxCount(email) < 2 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if n := e.OutboxCount(email); n != 2 {
			t.Fatalf("the owner got %d emails, want 2", n)
		}
	})
}
