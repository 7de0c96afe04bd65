package app_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/message"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/web"
)

// fixture holds one logged-in client per role and the ids routes need.
type fixture struct {
	t       *testing.T
	e       *apptest.Env
	clients map[web.Role]*apptest.Client
	creds   map[web.Role][2]string
	ids     map[string]string
}

func newFixture(t *testing.T, e *apptest.Env) *fixture {
	fx := &fixture{t: t, e: e, clients: map[web.Role]*apptest.Client{}, creds: map[web.Role][2]string{}, ids: map[string]string{}}
	for _, role := range []web.Role{web.Employer, web.FIE, web.Nomad} {
		email := string(role) + "@example.test"
		id := fx.cabinet(account.Kind(role), email)
		fx.creds[role] = [2]string{email, apptest.Password}
		if role == web.Employer {
			fx.ids["cabinet"] = strconv.FormatInt(id, 10)
			docs, err := e.App.Documents.ByCabinet(t.Context(), id)
			if err != nil || len(docs) == 0 {
				t.Fatal("fixture employer has no document", err)
			}
			fx.ids["doc"] = strconv.FormatInt(docs[0].ID, 10)
		}
	}
	fx.e.NewCitizen(fx.e.App.DevPKI.Identity("citizen").IIN, "citizen@example.test")
	fx.creds[web.Citizen] = [2]string{"citizen@example.test", apptest.Password}
	for _, role := range []web.Role{web.Operator, web.Admin} {
		email, pw := e.NewStaff(string(role))
		fx.creds[role] = [2]string{email, pw}
	}
	var staffID int64
	if err := e.DB.QueryRow(t.Context(), `SELECT id FROM staff WHERE email = $1`, fx.creds[web.Operator][0]).Scan(&staffID); err != nil {
		t.Fatal(err)
	}
	cabinetID, _ := strconv.ParseInt(fx.ids["cabinet"], 10, 64)
	msg, err := e.App.Messages.Send(t.Context(), cabinetID, staffID, message.Draft{Subject: "Welcome", Body: "Line one\nLine two", About: "Q-2026-000001"}, audit.Event{Actor: "system"})
	if err != nil {
		t.Fatal(err)
	}
	fx.ids["message"] = strconv.FormatInt(msg, 10)
	err = e.App.Profiles.RequestData(t.Context(), cabinetID, map[string]string{"org_name": "Org renamed", "legal_form": "llc",
		"registered_address": "a", "actual_address": "new address", "head_name": "c", "phone": "+996555000000"}, audit.Event{Actor: "system"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DB.QueryRow(t.Context(), `SELECT id FROM change_requests`).Scan(&staffID); err != nil {
		t.Fatal(err)
	}
	fx.ids["change"] = strconv.FormatInt(staffID, 10)
	q, err := e.App.Quotas.Apply(t.Context(), cabinetID, 2026, "KG-GB", []quota.Row{{Country: "UZ", Occupation: "7112", Requested: 2}}, audit.Event{Actor: "system"})
	if err != nil {
		t.Fatal(err)
	}
	fx.ids["quota"] = strconv.FormatInt(q, 10)
	row := e.ApprovedQuota(cabinetID, "UZ", "7112", 3)
	fx.ids["permit"] = strconv.FormatInt(e.PermitDraft(cabinetID, "UZ", "AA0000006", row), 10)
	return fx
}

// activeEmployer creates an active employer cabinet with a document.
func (fx *fixture) activeEmployer(email string) int64 { return fx.cabinet(account.Employer, email) }

func (fx *fixture) cabinet(kind account.Kind, email string) int64 {
	fx.t.Helper()
	return fx.e.NewCabinet(kind, email, account.Active)
}

// client returns a logged-in client for the role (anonymous: a new one).
func (fx *fixture) client(role web.Role) *apptest.Client {
	fx.t.Helper()
	if c, ok := fx.clients[role]; ok {
		return c
	}
	c := fx.e.Client()
	if role != web.Anonymous {
		cr := fx.creds[role]
		if role == web.Operator || role == web.Admin {
			fx.e.LoginStaff(c, cr[0], cr[1])
		} else if r := c.Login(cr[0], cr[1]); r.Status != 303 {
			fx.t.Fatalf("login as %s: %d\n%s", role, r.Status, r.Body)
		}
	}
	fx.clients[role] = c
	return c
}

// forget drops a client whose session a request ended.
func (fx *fixture) forget(role web.Role) { delete(fx.clients, role) }

// path fills a route's wildcards with ids that exist.
func (fx *fixture) path(p string) string {
	r := strings.NewReplacer(
		"{$}", "",
		"{lang}", "en",
		"{kind}", "employer",
		"{token}", "no-such-token",
		"{file}", "none.png",
		"{doc}", fx.ids["doc"],
	)
	p = r.Replace(p)
	if strings.HasPrefix(p, "/office/staff/") {
		return strings.Replace(p, "{id}", "1", 1)
	}
	if strings.HasPrefix(p, "/cabinet/documents/") {
		return strings.Replace(p, "{id}", fx.ids["doc"], 1)
	}
	if strings.Contains(p, "/permits/") || strings.Contains(p, "/extensions/") || strings.Contains(p, "/cases/") {
		return strings.Replace(p, "{id}", fx.ids["permit"], 1)
	}
	if strings.Contains(p, "/quota/") {
		return strings.Replace(p, "{id}", fx.ids["quota"], 1)
	}
	if strings.Contains(p, "/changes/") {
		return strings.Replace(p, "{id}", fx.ids["change"], 1)
	}
	p = strings.Replace(p, "{subject}", "photo", 1)
	if strings.HasPrefix(p, "/cabinet/messages/") {
		return strings.Replace(p, "{id}", fx.ids["message"], 1)
	}
	if strings.HasSuffix(p, "/static/") {
		return "/static/css/emgek.css"
	}
	return strings.Replace(p, "{id}", fx.ids["cabinet"], 1)
}
