package db

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestGroupedCommits: transactions that queue for SQLite's writer while
// another runs are committed together, each still all or nothing — one
// that fails leaves nothing, one that panics panics in its caller, and the
// rest of the group commits; a transaction whose caller has gone is not
// run; statements outside transactions take their turn the same way.
func TestGroupedCommits(t *testing.T) {
	ctx := t.Context()
	d, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Exec(ctx, `CREATE TABLE t (n INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(tx *DB, n int) error {
		_, err := tx.Exec(ctx, `INSERT INTO t (n) VALUES ($1)`, n)
		return err
	}
	// The first transaction holds the writer until the others queue.
	hold, held := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := d.Transact(ctx, func(tx *DB) error {
			close(held)
			<-hold
			return insert(tx, 0)
		}); err != nil {
			t.Error(err)
		}
	})
	<-held
	const n = 12
	errs := make([]error, n+1)
	gone, cancel := context.WithCancel(ctx)
	cancel()
	for i := 1; i <= n; i++ {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("panic: %v", p)
				}
			}()
			switch i {
			case 3: // fails after writing
				errs[i] = d.Transact(ctx, func(tx *DB) error {
					if err := insert(tx, i); err != nil {
						return err
					}
					return errors.New("no")
				})
			case 5: // panics after writing
				errs[i] = d.Transact(ctx, func(tx *DB) error {
					_ = insert(tx, i)
					panic("boom")
				})
			case 7: // its caller is gone
				errs[i] = d.Transact(gone, func(tx *DB) error { return insert(tx, i) })
			case 9: // a duplicate of 0's row: a constraint fails
				errs[i] = d.Transact(ctx, func(tx *DB) error {
					if err := insert(tx, 90); err != nil {
						return err
					}
					return insert(tx, 0)
				})
			case 11: // a statement of its own
				_, errs[i] = d.Exec(ctx, `INSERT INTO t (n) VALUES ($1)`, i)
			default:
				errs[i] = d.Transact(ctx, func(tx *DB) error { return insert(tx, i) })
			}
		})
	}
	time.Sleep(200 * time.Millisecond) // for the others to queue (7 gives up at once)
	close(hold)
	wg.Wait()
	for i := 1; i <= n; i++ {
		want := ""
		switch i {
		case 3:
			want = "no"
		case 5: // with where it began
			want = "panic: boom\n\nin a transaction:\n"
			if !strings.Contains(fmt.Sprint(errs[i]), "writer_test.go") {
				t.Errorf("the panic's stack does not show where it began: %v", errs[i])
			}
		case 7:
			want = "db.Transact: context canceled"
		case 9:
			want = "UNIQUE"
		}
		if got := fmt.Sprint(errs[i]); (want == "") != (errs[i] == nil) || !strings.Contains(got, want) {
			t.Errorf("transaction %d: %v, want %q", i, errs[i], want)
		}
	}
	var got []int
	rows, err := d.Query(ctx, `SELECT n FROM t ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v int
		_ = rows.Scan(&v)
		got = append(got, v)
	}
	rows.Close()
	if want := []int{0, 1, 2, 4, 6, 8, 10, 11, 12}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows %v, want %v", got, want)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	// One a transaction would be ten: the table's creation, the held one
	// and the eight others that succeeded. Grouped, the held one takes
	// those that queued behind it.
	if c := d.writer.commits; c >= 10 {
		t.Errorf("%d commits for ten transactions: none grouped", c)
	}
	t.Logf("%d commits", d.writer.commits)
}

// TestGroupOutcomes: a transaction that fails on what one grouped before
// it wrote learns so only once that one is committed (a double click's
// second Send then finds the first); a function that ends the shared
// transaction itself fails every member of its group, leaving nothing.
func TestGroupOutcomes(t *testing.T) {
	ctx := t.Context()
	d, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Exec(ctx, `CREATE TABLE t (n INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	insert := func(n int) func(tx *DB) error {
		return func(tx *DB) error {
			_, err := tx.Exec(ctx, `INSERT INTO t (n) VALUES ($1)`, n)
			return err
		}
	}
	count := func(n int) (c int) {
		if err := d.QueryRow(ctx, `SELECT count(*) FROM t WHERE n = $1`, n).Scan(&c); err != nil {
			t.Error(err)
		}
		return c
	}
	// behind holds the writer while fns queue, one after the other, then
	// lets them all run; it returns their errors, each with what its
	// caller found of its rows as soon as its Transact returned.
	type outcome struct {
		err  error
		rows int
	}
	behind := func(ns []int, fns ...func(tx *DB) error) []outcome {
		hold, held := make(chan struct{}), make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			_ = d.Transact(ctx, func(*DB) error { close(held); <-hold; return nil })
		})
		<-held
		out := make([]outcome, len(fns))
		for i, fn := range fns {
			wg.Go(func() {
				out[i].err = d.Transact(ctx, fn)
				out[i].rows = count(ns[i])
			})
			time.Sleep(20 * time.Millisecond) // queued in this order
		}
		close(hold)
		wg.Wait()
		return out
	}

	// The double click: the second finds 1 written, not yet committed, and
	// its caller then finds the first's row — though a third, slow one
	// holds back the group's commit.
	slow := func(tx *DB) error { time.Sleep(100 * time.Millisecond); return insert(4)(tx) }
	if o := behind([]int{1, 1, 4}, insert(1), insert(1), slow); o[0].err != nil || !IsUniqueViolation(o[1].err) || o[1].rows != 1 {
		t.Errorf("outcomes %+v; want nil, then a unique violation after which row 1 is there", o)
	}

	o := behind([]int{2, 2, 3}, insert(2), func(tx *DB) error {
		_, err := tx.Exec(ctx, `ROLLBACK`) // ends the transaction the group shares
		return err
	}, insert(3))
	if o[0].err == nil || o[1].err == nil || o[0].rows != 0 {
		t.Errorf("outcomes %+v; want the first two to fail and no row of 2", o[:2])
	}
	if o[2].err != nil || o[2].rows != 1 {
		t.Errorf("the next transaction: %+v; want nil and its row", o[2])
	}
}
