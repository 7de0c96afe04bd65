package token_test

import (
	"testing"
	"time"

	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
	"github.com/emgek/emgek/internal/token"
)

func TestTokenLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		var staffID int64
		if err := d.WriteRow(ctx, `INSERT INTO staff (email, name, role, created_at) VALUES ('s@example.test', 'S', 'operator', $1) RETURNING id`, now).Scan(&staffID); err != nil {
			t.Fatal(err)
		}
		sub := token.Subject{Staff: staffID}
		issue := func() string {
			raw, err := token.Issue(ctx, d, token.StaffInvite, sub, 24*time.Hour, now)
			if err != nil {
				t.Fatal(err)
			}
			return raw
		}
		reason := func(err error) string {
			r, ok := token.Problem(err)
			if !ok && err != nil {
				t.Fatalf("not a link problem: %v", err)
			}
			return r
		}

		first := issue()
		second := issue() // the newer link replaces the older
		if r := reason(token.Check(ctx, d, token.StaffInvite, first, now)); r != "used" {
			t.Errorf("the replaced link: %q, want used", r)
		}
		if r := reason(token.Check(ctx, d, token.ResetPassword, second, now)); r != "unknown" {
			t.Errorf("a link used for another purpose: %q, want unknown", r)
		}
		if _, err := token.Consume(ctx, d, token.StaffInvite, second, now.Add(24*time.Hour+time.Second)); reason(err) != "expired" {
			t.Errorf("after 24 hours: %v, want expired", err)
		}
		third := issue()
		got, err := token.Consume(ctx, d, token.StaffInvite, third, now.Add(23*time.Hour))
		if err != nil || got.Staff != staffID {
			t.Fatalf("consume: %+v %v", got, err)
		}
		if _, err := token.Consume(ctx, d, token.StaffInvite, third, now.Add(23*time.Hour)); reason(err) != "used" {
			t.Errorf("second use: %v, want used", err)
		}
		var stored int
		if err := d.QueryRow(ctx, `SELECT count(*) FROM tokens WHERE hash = $1`, third).Scan(&stored); err != nil || stored != 0 {
			t.Errorf("the raw token is stored in the database (%d rows, %v)", stored, err)
		}
	})
}
