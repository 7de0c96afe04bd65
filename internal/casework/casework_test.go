package casework_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
)

var lc = &casework.Lifecycle{Service: "quota", Prefix: "Q", Jurisdiction: "KG", TermDays: 3}

func cabinet(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var id int64
	err := d.WriteRow(t.Context(), `INSERT INTO cabinets (kind, status, email, password_hash, phone, lang, created_at, password_changed_at)
		VALUES ('employer', 'active', $1, '', '+996555000000', 'ru', $2, $2) RETURNING id`,
		fmt.Sprintf("c%d@example.test", time.Now().UnixNano()), time.Now().UTC()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestDueDate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		bishkek, _ := time.LoadLocation("Asia/Bishkek")
		tests := []struct {
			from time.Time
			n    int
			want string // the due day, in Bishkek
		}{
			// Thursday 30 April 2026: 1 May is a holiday, then a weekend,
			// 5 May (Constitution Day) too: Mon 4, Wed 6, Thu 7.
			{time.Date(2026, 4, 30, 10, 0, 0, 0, bishkek), 3, "2026-05-07"},
			// Friday evening: counting starts on Monday.
			{time.Date(2026, 11, 27, 23, 0, 0, 0, bishkek), 1, "2026-11-30"},
			// Late on Friday in UTC is already Saturday in Bishkek.
			{time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC), 1, "2026-11-30"},
			{time.Date(2026, 12, 28, 9, 0, 0, 0, bishkek), 5, "2027-01-05"},
		}
		for _, tt := range tests {
			due, err := casework.DueDate(t.Context(), d, "KG", tt.from, tt.n)
			if err != nil {
				t.Fatal(err)
			}
			if got := due.In(bishkek); got.Format(time.DateOnly) != tt.want || got.Hour() != 23 {
				t.Errorf("DueDate(%s, %d) = %s, want the end of %s", tt.from, tt.n, got, tt.want)
			}
		}
	})
}

func TestLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		cab := cabinet(t, d)
		now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
		by := audit.Event{Actor: "cabinet:1"}
		var c *casework.Case
		err := d.Transact(ctx, func(tx *db.DB) error {
			var err error
			if c, err = lc.Create(ctx, tx, cab, now, by); err != nil {
				return err
			}
			return lc.Submit(ctx, tx, c, now, by)
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.Number != "Q-2026-000001" || c.Status != casework.Submitted || c.DueAt == nil {
			t.Fatalf("after submit: %+v", c)
		}
		stale := *c
		step := func(f func(tx *db.DB) error) error { return d.Transact(ctx, f) }
		if err := step(func(tx *db.DB) error { return lc.RequestDocuments(ctx, tx, c, now, by) }); err != nil {
			t.Fatal(err)
		}
		if err := step(func(tx *db.DB) error { return lc.Submit(ctx, tx, c, now.Add(48*time.Hour), by) }); err != nil {
			t.Fatal(err)
		}
		got, err := lc.ByID(ctx, d, c.ID)
		if err != nil || got.Number != "Q-2026-000001" || !got.DueAt.Equal(*c.DueAt) || got.Status != casework.Submitted {
			t.Fatalf("after resubmission: %+v %v (the number and due date stay)", got, err)
		}
		if err := step(func(tx *db.DB) error { return lc.Decide(ctx, tx, c, casework.Decided, now, by) }); err != nil {
			t.Fatal(err)
		}
		// Someone acting on what they saw before: refused, nothing changes.
		err = step(func(tx *db.DB) error { return lc.Decide(ctx, tx, &stale, casework.Decided, now, by) })
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.Conflict {
			t.Fatalf("a second decision: %v, want a conflict", err)
		}
		if err := step(func(tx *db.DB) error { return lc.Withdraw(ctx, tx, c, now, by) }); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("withdrawing a decided case: %v", err)
		}
		if _, err := lc.OfCabinet(ctx, d, cab+1, c.ID); !apperr.IsNotFound(err) {
			t.Fatalf("another cabinet's case: %v, want NotFound", err)
		}
		var rows int
		if err := d.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE object = $1`, fmt.Sprintf("case:%d", c.ID)).Scan(&rows); err != nil || rows != 5 {
			t.Fatalf("%d audit rows, want 5 (create, submit, request, resubmit, decide): %v", rows, err)
		}
	})
}

// TestNumbersUnderLoad: cases submitted at once get distinct numbers.
func TestNumbersUnderLoad(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		cab := cabinet(t, d)
		const n = 20
		numbers := make(chan string, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				err := d.Transact(ctx, func(tx *db.DB) error {
					c, err := lc.Create(ctx, tx, cab, time.Now(), audit.Event{Actor: "test"})
					if err != nil {
						return err
					}
					if err := lc.Submit(ctx, tx, c, time.Now(), audit.Event{Actor: "test"}); err != nil {
						return err
					}
					numbers <- c.Number
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		close(numbers)
		seen := map[string]bool{}
		for num := range numbers {
			if seen[num] {
				t.Fatalf("number %s given twice", num)
			}
			seen[num] = true
		}
		if len(seen) != n {
			t.Fatalf("%d numbers, want %d", len(seen), n)
		}
	})
}

// TestReservedNumbers: sends made at once get different numbers, on
// PostgreSQL taken with their ids before their transactions (Reserve),
// which then go whole in one pipeline, and on SQLite in them; a send that
// fails after taking its number leaves a gap on PostgreSQL and none on
// SQLite, and the next send is numbered after it.
func TestReservedNumbers(t *testing.T) {
	lc := &casework.Lifecycle{Service: "quota", Prefix: "Q", Jurisdiction: "KG", TermDays: 3, Confirm: true}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		cab := cabinet(t, d)
		send := func(fail bool) (string, error) {
			now := time.Now()
			r, err := lc.Reserve(ctx, d, now)
			if err != nil {
				return "", err
			}
			if pg := d.Dialect == db.Postgres; (r.Number != "") != pg || (r.ID != 0) != pg || r.Due.IsZero() {
				t.Fatalf("%s: Reserve gave %+v", d.Dialect, r)
			}
			var c *casework.Case
			err = d.Pipeline(ctx, func(tx *db.DB) error {
				if c, err = lc.CreateSubmitted(ctx, tx, cab, now, r, audit.Event{Actor: "test"}); err != nil {
					return err
				}
				if fail {
					return apperr.New(apperr.Conflict, "test.fail")
				}
				return nil
			})
			if err != nil {
				return "", err
			}
			var stored string
			if err := d.QueryRow(ctx, `SELECT number FROM cases WHERE id = $1`, c.ID).Scan(&stored); err != nil || stored != c.Number {
				t.Fatalf("stored number %q (%v), case says %q", stored, err, c.Number)
			}
			var waiting bool
			if err := d.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM case_confirmations WHERE case_id = $1)`, c.ID).Scan(&waiting); err != nil || waiting != lc.Confirm {
				t.Fatalf("case %d waits for its confirmation: %v (%v), want %v", c.ID, waiting, err, lc.Confirm)
			}
			return c.Number, nil
		}
		const n = 10
		numbers := make(chan string, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				num, err := send(false)
				if err != nil {
					t.Error(err)
				}
				numbers <- num
			})
		}
		wg.Wait()
		close(numbers)
		seen := map[string]bool{}
		for num := range numbers {
			if seen[num] || num == "" {
				t.Fatalf("number %q given twice or empty", num)
			}
			seen[num] = true
		}
		if _, err := send(true); err == nil {
			t.Fatal("the failing send did not fail")
		}
		next, err := send(false)
		if err != nil {
			t.Fatal(err)
		}
		year := time.Now().In(casework.Zone("KG")).Year()
		want := fmt.Sprintf("Q-%d-%06d", year, n+1)
		if d.Dialect == db.Postgres {
			want = fmt.Sprintf("Q-%d-%06d", year, n+2) // the failed send's number is skipped
		}
		if next != want {
			t.Fatalf("after a failed send: %s, want %s", next, want)
		}
	})
}
