package web_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/apptest"
)

// TestSessionWrites: page views within a minute do not rewrite the session
// (SQLite has one writer); after 30 idle minutes the session has ended;
// before that, each view slides the idle limit.
func TestSessionWrites(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		email, pw := e.NewStaff("operator")
		c := e.Client()
		e.LoginStaff(c, email, pw)
		expiry := func() string {
			var s string
			if err := e.DB.QueryRow(t.Context(), `SELECT CAST(expiry AS TEXT) FROM sessions`).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		before := expiry()
		for range 3 {
			if r := c.Get("/office"); r.Status != http.StatusOK {
				t.Fatalf("office: %d", r.Status)
			}
		}
		if after := expiry(); after != before {
			t.Fatalf("the session was rewritten by page views: %s → %s", before, after)
		}
		e.Advance(20 * time.Minute)
		if r := c.Get("/office"); r.Status != http.StatusOK {
			t.Fatalf("after 20 idle minutes: %d, want still logged in", r.Status)
		}
		e.Advance(20 * time.Minute) // 20 minutes since the last view: still fine
		if r := c.Get("/office"); r.Status != http.StatusOK {
			t.Fatalf("20 minutes after the last view: %d, want still logged in", r.Status)
		}
		e.Advance(31 * time.Minute)
		if r := c.Get("/office"); r.Status != http.StatusSeeOther {
			t.Fatalf("after 31 idle minutes: %d, want a redirect to log in", r.Status)
		}
	})
}

// TestUnreadableSession: a session whose stored form cannot be read (a
// damaged row, or one written by a later release) logs its owner out
// instead of failing every page.
func TestUnreadableSession(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		email, pw := e.NewStaff("operator")
		c := e.Client()
		e.LoginStaff(c, email, pw)
		if r := c.Get("/office"); r.Status != http.StatusOK {
			t.Fatalf("office: %d", r.Status)
		}
		if _, err := e.DB.Exec(t.Context(), `UPDATE sessions SET data = $1`, []byte("\x00emgek-session-9\x00???")); err != nil {
			t.Fatal(err)
		}
		if r := c.Get("/office"); r.Status != http.StatusSeeOther {
			t.Fatalf("with an unreadable session: %d, want a redirect to log in", r.Status)
		}
		e.LoginStaff(c, email, pw)
		if r := c.Get("/office"); r.Status != http.StatusOK {
			t.Fatalf("after logging in again: %d", r.Status)
		}
	})
}
