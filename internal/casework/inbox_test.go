package casework_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
)

// TestInboxPages: pages of 50 by keyset follow one another without a gap
// or a repeat, newest first or earliest due first; the count stops at
// CountCap and says there are more.
func TestInboxPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		cab := cabinet(t, d)
		now := time.Now().UTC().Truncate(time.Microsecond)
		insert := func(from, n int, status string) {
			for lo := from; lo < from+n; lo += 100 {
				var rows []string
				var args []any
				for i := lo; i < min(lo+100, from+n); i++ {
					// Submission times repeat in pairs: the id breaks the tie.
					sub := now.Add(-time.Duration(i/2) * time.Minute)
					args = append(args, fmt.Sprintf("Q-T-%07d", i), cab, status, sub, sub.Add(time.Duration(i%7)*time.Hour))
					k := len(args)
					rows = append(rows, fmt.Sprintf("($%d, 'quota', $%d, $%d, $%d, $%d, $%d, $%d)", k-4, k-3, k-2, k-1, k-1, k, k-1))
				}
				if _, err := d.Exec(ctx, `INSERT INTO cases (number, service, cabinet_id, status, created_at, submitted_at, due_at, updated_at)
					VALUES `+strings.Join(rows, ", "), args...); err != nil {
					t.Fatal(err)
				}
			}
		}
		insert(0, 120, "submitted")
		insert(120, 30, "decided") // not waiting: never listed
		for _, newest := range []bool{true, false} {
			f := casework.InboxFilter{Service: "quota", Status: casework.Submitted, Newest: newest}
			seen := map[int64]bool{}
			var last *casework.Case
			pages := 0
			for {
				items, err := casework.Inbox(ctx, d, f, now)
				if err != nil {
					t.Fatal(err)
				}
				if len(items) == 0 {
					break
				}
				pages++
				for _, it := range items {
					c := it.Case
					if seen[c.ID] {
						t.Fatalf("newest=%v: case %d twice", newest, c.ID)
					}
					seen[c.ID] = true
					if last != nil {
						a, b := last.DueAt, c.DueAt
						if newest {
							a, b = c.SubmittedAt, last.SubmittedAt
						}
						if b.Before(*a) || b.Equal(*a) && (newest != (c.ID < last.ID)) {
							t.Fatalf("newest=%v: %d (%s) after %d (%s)", newest, c.ID, b, last.ID, a)
						}
					}
					last = c
				}
				f.After = f.Cursor(last)
			}
			if len(seen) != 120 || pages != 3 {
				t.Errorf("newest=%v: %d cases on %d pages, want 120 on 3", newest, len(seen), pages)
			}
		}
		n, more, err := casework.InboxCount(ctx, d, casework.InboxFilter{Service: "quota"}, now)
		if err != nil || n != 120 || more {
			t.Fatalf("count %d %v %v, want 120", n, more, err)
		}
		// A service that is not a plain word is passed as a parameter,
		// never written into the SQL.
		for _, odd := range []string{"quota' OR '1'='1", "Quota", "quota1"} {
			items, err := casework.Inbox(ctx, d, casework.InboxFilter{Service: odd}, now)
			if err != nil || len(items) != 0 {
				t.Fatalf("service %q: %d cases, %v; want none", odd, len(items), err)
			}
		}
		insert(150, casework.CountCap, "submitted")
		n, more, err = casework.InboxCount(ctx, d, casework.InboxFilter{Service: "quota"}, now)
		if err != nil || n != casework.CountCap || !more {
			t.Fatalf("count %d %v %v, want more than %d", n, more, err, casework.CountCap)
		}
	})
}
