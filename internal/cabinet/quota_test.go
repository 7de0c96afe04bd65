package cabinet_test

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/quota"
)

// TestQuotaFlow: an employer applies with three rows (the third added
// without JavaScript), sends; an operator approves two rows fully and one
// partly; the employer sees the decision and downloads the extract, whose
// QR page says it is genuine.
func TestQuotaFlow(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		email := "quota-flow@example.test"
		activeEmployer(t, e, email)
		if err := e.App.Quotas.SetQuota(t.Context(), 2026, "KG-GB", "7", 10, audit.Event{Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		if err := e.App.Quotas.SetQuota(t.Context(), 2026, "KG-GB", "2", 10, audit.Event{Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		c := e.Client()
		c.Login(email, apptest.Password)
		form := url.Values{"year": {"2026"}, "region": {"KG-GB"},
			"rows-0-country": {"UZ"}, "rows-0-occupation": {"7112"}, "rows-0-requested": {"4"}, "rows-0-justification": {"Housing project"},
			"rows-1-country": {"TR"}, "rows-1-occupation": {"2512 Software developers"}, "rows-1-requested": {"2"}, "rows-1-justification": {"IT"}}
		form.Set("action", "add_row")
		r := c.Post("/cabinet/quota/new", form)
		if r.Status != http.StatusOK || !strings.Contains(r.Body, `name="rows-2-country"`) || !strings.Contains(r.Body, "Housing project") {
			t.Fatalf("add a row: %d", r.Status)
		}
		form.Set("rows-2-country", "CN")
		form.Set("rows-2-occupation", "7126")
		form.Set("rows-2-requested", "3")
		form.Set("action", "save")
		r = c.Post("/cabinet/quota/new", form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", r.Status, r.Body)
		}
		page := r.Location
		if r := c.Post(page+"/submit", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("send: %d", r.Status)
		}
		if r := c.Get(page); !strings.Contains(r.Body, "Q-2026-0000") || !strings.Contains(r.Body, "Sent") {
			t.Fatalf("after sending:\n%s", r.Body)
		}
		if text := e.Outbox(email, "Your application has been received"); !strings.Contains(text, "Q-2026-0000") {
			t.Fatalf("no confirmation:\n%s", text)
		}
		// Send straight from the form: one step, numbered and confirmed.
		form.Set("action", "send")
		r = c.Post("/cabinet/quota/new", form)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("send from the form: %d\n%s", r.Status, r.Body)
		}
		if sent := c.Get(r.Location); !strings.Contains(sent.Body, "has been sent to the ministry") || !strings.Contains(sent.Body, "Q-2026-0000") {
			t.Fatalf("sent from the form:\n%s", sent.Body)
		}
		// Both confirmations are queued moments later (casework.SendConfirmations).
		var confirmations int
		for deadline := time.Now().Add(5 * time.Second); confirmations != 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			confirmations = len(e.QueuedEmails("application_received"))
		}
		if confirmations != 2 {
			t.Fatalf("confirmations queued: %d, want 2", confirmations)
		}

		op := e.Client()
		em, pw := e.NewStaff("operator")
		e.LoginStaff(op, em, pw)
		id := strings.TrimPrefix(page, "/cabinet/quota/")
		// The operator asks for a document; the employer attaches it and
		// sends again.
		if r := op.Post("/office/quota/"+id+"/request-documents", url.Values{"message": {"Send the lease contract for the site"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("request documents: %d\n%s", r.Status, r.Body)
		}
		if text := e.Outbox(email, "message from the ministry"); !strings.Contains(text, "/cabinet/messages") {
			t.Fatalf("no message email:\n%s", text)
		}
		if r := c.Get(page); !strings.Contains(r.Body, "Documents requested") || !strings.Contains(r.Body, `name="file"`) {
			t.Fatalf("the employer is not asked for the document:\n%s", r.Body)
		}
		if r := c.PostMultipart(page+"/documents", nil, []apptest.File{{Field: "file", Name: "lease.pdf", Content: apptest.PDF}}); r.Status != http.StatusSeeOther {
			t.Fatalf("attach: %d\n%s", r.Status, r.Body)
		}
		if r := c.Post(page+"/submit", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("send again: %d", r.Status)
		}
		if r := op.Get("/office/quota/" + id); !strings.Contains(r.Body, "lease.pdf") {
			t.Fatal("the operator does not see the attached document")
		}
		decision := url.Values{"rows-0-approved": {"4"}, "rows-1-approved": {"2"}, "rows-2-approved": {"9"},
			"protocol_number": {"7/2026"}, "protocol_date-day": {"20"}, "protocol_date-month": {"11"}, "protocol_date-year": {"2026"}}
		if r := op.Post("/office/quota/"+id+"/decide", decision); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Approve from 0 to the 3 requested") {
			t.Fatalf("approving more than requested: %d", r.Status)
		}
		decision.Set("rows-2-approved", "1")
		if r := op.Post("/office/quota/"+id+"/decide", decision); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Choose the reason") {
			t.Fatalf("a cut without a reason: %d", r.Status)
		}
		decision.Set("rows-2-reason", "quota_exhausted")
		if r := op.Post("/office/quota/"+id+"/decide", decision); r.Status != http.StatusSeeOther {
			t.Fatalf("decide: %d\n%s", r.Status, r.Body)
		}

		r = c.Get(page)
		if !strings.Contains(r.Body, "Decided") || !strings.Contains(r.Body, "Quota exhausted") || !strings.Contains(r.Body, "extract.pdf") {
			t.Fatalf("the employer's view of the decision:\n%s", r.Body)
		}
		pdf := c.Get(page + "/extract.pdf")
		if pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF") {
			t.Fatalf("extract: %d", pdf.Status)
		}
		again := c.Get(page + "/extract.pdf")
		if again.Body != pdf.Body {
			t.Fatal("downloading again gave other bytes")
		}
		file := filepath.Join(t.TempDir(), "extract.pdf")
		if err := os.WriteFile(file, []byte(pdf.Body), 0o644); err != nil {
			t.Fatal(err)
		}
		png := filepath.Join(t.TempDir(), "page")
		if err := exec.Command("pdftoppm", "-png", "-r", "150", "-singlefile", file, png).Run(); err != nil {
			t.Fatal(err)
		}
		code, err := exec.Command("zbarimg", "--quiet", "--raw", png+".png").Output()
		if err != nil {
			t.Fatalf("zbarimg: %v", err)
		}
		link := strings.TrimSpace(string(code))
		if !strings.HasPrefix(link, e.URL+"/verify/") {
			t.Fatalf("the QR says %q", link)
		}
		if v := e.Client().Get(link); v.Status != http.StatusOK || !strings.Contains(v.Body, "This document is genuine") {
			t.Fatalf("verify: %d", v.Status)
		}
		if r := c.Get("/cabinet/quota/" + strconv.Itoa(1000000)); r.Status != http.StatusNotFound {
			t.Fatalf("an unknown application: %d", r.Status)
		}
	})
}

// TestQuotaSendTwice: the same form sent twice (a double click without
// JavaScript) makes one application, and both answers lead to it.
func TestQuotaSendTwice(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		email := "twice@example.test"
		activeEmployer(t, e, email)
		c := e.Client()
		c.Login(email, apptest.Password)
		page := c.Get("/cabinet/quota/new")
		request := apptest.HiddenValue(page.Body, "request")
		if request == "" {
			t.Fatal("the form has no request id")
		}
		year := strconv.Itoa(quota.ThisYear(e.App.Kit.Now()))
		form := url.Values{"action": {"send"}, "request": {request}, "year": {year}, "region": {"KG-GB"},
			"rows-0-country": {"UZ"}, "rows-0-occupation": {"7112"}, "rows-0-requested": {"2"}}
		first, second := c.Post("/cabinet/quota/new", form), c.Post("/cabinet/quota/new", form)
		if first.Status != http.StatusSeeOther || second.Status != http.StatusSeeOther || first.Location != second.Location {
			t.Fatalf("two sends: %d %s, %d %s", first.Status, first.Location, second.Status, second.Location)
		}
		// The flash is shown once, then gone.
		if r := c.Get(first.Location); !strings.Contains(r.Body, "has been sent to the ministry") {
			t.Fatal("no flash after sending")
		}
		if r := c.Get(first.Location); strings.Contains(r.Body, "has been sent to the ministry") {
			t.Fatal("the flash is shown again")
		}
		var n int
		if err := e.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM cases WHERE service = 'quota' AND cabinet_id = $1`, e.CabinetID(email)).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d applications, want 1 (%v)", n, err)
		}
		// Clicks at once: on SQLite they may share one commit, the later
		// ones failing on the first's request id before it is committed;
		// each still leads to the one application.
		form.Set("request", apptest.HiddenValue(c.Get("/cabinet/quota/new").Body, "request"))
		at := make([]string, 4)
		var wg sync.WaitGroup
		for i := range at {
			wg.Go(func() {
				if r := c.Post("/cabinet/quota/new", form); r.Status == http.StatusSeeOther {
					at[i] = r.Location
				} else {
					t.Logf("status %d %.300s", r.Status, r.Body)
				}
			})
		}
		wg.Wait()
		if at[0] == "" || at[0] == first.Location || slices.ContainsFunc(at, func(l string) bool { return l != at[0] }) {
			t.Fatalf("four sends at once led to %q", at)
		}
		if err := e.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM cases WHERE service = 'quota' AND cabinet_id = $1`, e.CabinetID(email)).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%d applications, want 2 (%v)", n, err)
		}
	})
}
