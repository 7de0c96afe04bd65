package cabinet_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/emgek/emgek/internal/apptest"
)

// TestMessages: an operator writes to a cabinet; the owner is emailed
// without the content, sees an unread count, reads it (marked read, the
// operator sees when); another cabinet gets 404 and the attempt is logged.
func TestMessages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		owner, other := "owner@example.test", "nosy@example.test"
		activeEmployer(t, e, owner)
		activeEmployer(t, e, other)
		op := e.Client()
		em, pw := e.NewStaff("operator")
		e.LoginStaff(op, em, pw)
		path := "/office/cabinets/" + itoa(e.CabinetID(owner))
		if r := op.Post(path+"/messages", url.Values{"subject": {""}, "body": {""}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `href="#subject"`) {
			t.Fatalf("empty message: %d", r.Status)
		}
		secret := "Your quota application needs the lease contract"
		r := op.Post(path+"/messages", url.Values{"subject": {"Documents needed"}, "body": {secret}, "about": {"Q-2026-000123"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("send: %d\n%s", r.Status, r.Body)
		}
		if text := e.Outbox(owner, "message from the ministry"); strings.Contains(text, secret) || !strings.Contains(text, "/cabinet/messages") {
			t.Fatalf("the email must point to the cabinet without the content:\n%s", text)
		}

		c := e.Client()
		c.Login(owner, apptest.Password)
		home := c.Get("/cabinet")
		if !strings.Contains(home.Body, `govuk-tag--blue">1<span class="govuk-visually-hidden"> Unread`) {
			t.Fatal("the navigation does not show 1 unread message")
		}
		list := c.Get("/cabinet/messages")
		if !strings.Contains(list.Body, "<strong>Documents needed</strong>") || !strings.Contains(list.Body, "Q-2026-000123") {
			t.Fatalf("list:\n%s", list.Body)
		}
		var id int64
		if err := e.DB.QueryRow(t.Context(), `SELECT id FROM messages`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		msg := c.Get("/cabinet/messages/" + strconv.FormatInt(id, 10))
		if msg.Status != http.StatusOK || !strings.Contains(msg.Body, secret) {
			t.Fatalf("open: %d", msg.Status)
		}
		if home := c.Get("/cabinet"); strings.Contains(home.Body, "govuk-tag--blue") {
			t.Fatal("still counted unread after reading")
		}
		if page := op.Get(path); !strings.Contains(page.Body, "Read 20") {
			t.Fatal("the operator does not see when it was read")
		}

		nosy := e.Client()
		nosy.Login(other, apptest.Password)
		if r := nosy.Get("/cabinet/messages/" + strconv.FormatInt(id, 10)); r.Status != http.StatusNotFound || strings.Contains(r.Body, secret) {
			t.Fatalf("another cabinet's message: %d, want 404", r.Status)
		}
		logs := e.Logs()
		if !strings.Contains(logs, "refused access") || !strings.Contains(logs, "user=cabinet:"+itoa(e.CabinetID(other))) {
			t.Fatalf("the attempt was not logged:\n%s", logs)
		}
	})
}
