package backoffice_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/emgek/emgek/internal/apptest"
)

// TestStaffAccounts: an admin creates an operator, who sets a password by
// the emailed invitation; the admin changes the role and unit, then
// disables the account, which ends its session.
func TestStaffAccounts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Client()
		adminEmail, adminPW := e.NewStaff("admin")
		e.LoginStaff(admin, adminEmail, adminPW)

		r := admin.Post("/office/staff/new", url.Values{"email": {"not an email"}, "name": {""}, "role": {"operator"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `href="#email"`) || !strings.Contains(r.Body, `href="#name"`) {
			t.Fatalf("invalid new account: %d", r.Status)
		}
		newEmail := "new.operator@ministry.example.test"
		r = admin.Post("/office/staff/new", url.Values{"email": {newEmail}, "name": {"Aida Operator"}, "role": {"operator"}, "unit": {"Bishkek"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", r.Status, r.Body)
		}
		if r := admin.Post("/office/staff/new", url.Values{"email": {newEmail}, "name": {"Again"}, "role": {"operator"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "already exists") {
			t.Fatalf("duplicate: %d", r.Status)
		}
		link := apptest.LinkIn(t, e.Outbox(newEmail, ""), e.URL+"/office/invite/")
		op := e.Client()
		if r := op.Post(link, url.Values{"password": {"operator password 2026"}, "password_confirm": {"operator password 2026"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("accept invitation: %d\n%s", r.Status, r.Body)
		}
		if r := op.Get("/office"); r.Status != http.StatusOK {
			t.Fatalf("operator after invitation: %d", r.Status)
		}
		if r := op.Get("/office/staff"); r.Status != http.StatusForbidden {
			t.Fatalf("operator on the staff list: %d, want 403", r.Status)
		}

		var id int64
		if err := e.DB.QueryRow(t.Context(), `SELECT id FROM staff WHERE email = $1`, newEmail).Scan(&id); err != nil {
			t.Fatal(err)
		}
		path := "/office/staff/" + strconv.FormatInt(id, 10)
		if r := admin.Post(path, url.Values{"name": {"Aida Operator"}, "role": {"admin"}, "unit": {"Osh"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("update: %d", r.Status)
		}
		if list := admin.Get("/office/staff"); !strings.Contains(list.Body, "Osh") || !strings.Contains(list.Body, "Administrator") {
			t.Fatal("the list does not show the new role and unit")
		}
		if r := admin.Post(path, url.Values{"name": {"Aida Operator"}, "role": {"operator"}, "disabled": {"yes"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("disable: %d", r.Status)
		}
		if r := op.Get("/office"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/office/login") {
			t.Fatalf("a disabled account's session: %d %s, want it ended", r.Status, r.Location)
		}
		if r := e.Client().Post("/office/login", url.Values{"email": {newEmail}, "password": {"operator password 2026"}}); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a disabled account logs in: %d", r.Status)
		}

		var adminID int64
		if err := e.DB.QueryRow(t.Context(), `SELECT id FROM staff WHERE email = $1`, adminEmail).Scan(&adminID); err != nil {
			t.Fatal(err)
		}
		if r := admin.Post("/office/staff/"+strconv.FormatInt(adminID, 10), url.Values{"name": {"Me"}, "role": {"admin"}, "disabled": {"yes"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "cannot disable your own account") {
			t.Fatalf("disabling oneself: %d", r.Status)
		}
	})
}

// TestRejectCabinet: a refusal needs a reason, which the applicant gets.
func TestRejectCabinet(t *testing.T) {
	e := apptest.New(t, "sqlite")
	email := "refused@example.test"
	c := e.Client()
	c.Get(e.RegisterEmployer(c, email))
	op := e.Client()
	em, pw := e.NewStaff("operator")
	e.LoginStaff(op, em, pw)
	path := "/office/cabinets/" + strconv.FormatInt(e.CabinetID(email), 10)
	if r := op.Post(path+"/reject", url.Values{"reason": {"  "}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="reason-error"`) {
		t.Fatalf("reject without a reason: %d", r.Status)
	}
	if r := op.Post(path+"/reject", url.Values{"reason": {"The certificate is unreadable"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reject: %d", r.Status)
	}
	if text := e.Outbox(email, "refused"); !strings.Contains(text, "The certificate is unreadable") {
		t.Fatalf("the refusal email lacks the reason:\n%s", text)
	}
	if r := op.Post(path+"/activate", nil); r.Status != http.StatusConflict || !strings.Contains(r.Body, "already been refused") {
		t.Fatalf("activating a refused cabinet: %d", r.Status)
	}
	if r := c.Login(email, apptest.Password); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "The certificate is unreadable") {
		t.Fatalf("login of a refused cabinet: %d", r.Status)
	}
	trail := op.Get(path)
	for _, want := range []string{"Registered", "Email confirmed", "Refused"} {
		if !strings.Contains(trail.Body, want) {
			t.Errorf("the history lacks %q", want)
		}
	}
}

// TestCertificateChange: an employer's new registration certificate waits
// for review; on approval it is in force and the old one is history; the
// request keeps showing which file it replaced.
func TestCertificateChange(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		email := "cert@example.test"
		c := e.Client()
		c.Get(e.RegisterEmployer(c, email))
		op := e.Client()
		em, pw := e.NewStaff("operator")
		e.LoginStaff(op, em, pw)
		id := e.CabinetID(email)
		op.Post("/office/cabinets/"+strconv.FormatInt(id, 10)+"/activate", nil)
		c.Login(email, apptest.Password)
		r := c.PostMultipart("/cabinet/profile/update/registration_certificate", nil, []apptest.File{{Field: "file", Name: "new-cert.pdf", Content: apptest.PDF}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("send: %d\n%s", r.Status, r.Body)
		}
		if r := c.PostMultipart("/cabinet/profile/update/registration_certificate", nil, []apptest.File{{Field: "file", Name: "again.pdf", Content: apptest.PDF}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "already waiting for review") {
			t.Fatalf("a second pending certificate: %d", r.Status)
		}
		if docs := c.Get("/cabinet/documents"); strings.Contains(docs.Body, "new-cert.pdf") || !strings.Contains(docs.Body, "certificate.pdf") {
			t.Fatal("the pending certificate is listed as in force")
		}
		var changeID int64
		if err := e.DB.QueryRow(t.Context(), `SELECT id FROM change_requests WHERE cabinet_id = $1`, id).Scan(&changeID); err != nil {
			t.Fatal(err)
		}
		path := "/office/changes/" + strconv.FormatInt(changeID, 10)
		if r := op.Post(path+"/approve", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("approve: %d", r.Status)
		}
		page := op.Get(path)
		if !strings.Contains(page.Body, ">certificate.pdf<") || !strings.Contains(page.Body, ">new-cert.pdf<") {
			t.Fatalf("the decided request no longer shows the old and the new file:\n%s", page.Body)
		}
		docs := c.Get("/cabinet/documents")
		if !strings.Contains(docs.Body, "new-cert.pdf") || strings.Contains(docs.Body, ">certificate.pdf<") {
			t.Fatal("after approval the new certificate is not the one in force")
		}
		if r := op.Post(path+"/approve", nil); r.Status != http.StatusConflict {
			t.Fatalf("approving twice: %d", r.Status)
		}
	})
}
