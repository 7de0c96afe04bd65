package db_test

import (
	"errors"
	"testing"

	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
)

// TestPipeline: a pipeline's statements land all together or not at all;
// a unique violation among them is still one; its function's own error
// sends nothing; and on PostgreSQL, where its statements are only queued,
// asking one for an answer is refused.
func TestPipeline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		insert := `INSERT INTO secrets (name, value, created_at) VALUES ($1, 'x', CURRENT_TIMESTAMP)`
		count := func() (n int) {
			t.Helper()
			if err := d.QueryRow(ctx, `SELECT count(*) FROM secrets WHERE name LIKE 'p%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := d.Pipeline(ctx, func(tx *db.DB) error {
			for _, name := range []string{"p1", "p2", "p1"} { // the second p1 fails
				if _, err := tx.Exec(ctx, insert, name); err != nil {
					return err
				}
			}
			return nil
		})
		if !db.IsUniqueViolation(err) {
			t.Fatalf("err = %v, want a unique violation", err)
		}
		if n := count(); n != 0 {
			t.Fatalf("after the failed pipeline %d rows, want 0", n)
		}
		mine := errors.New("changed my mind")
		if err := d.Pipeline(ctx, func(tx *db.DB) error {
			_, _ = tx.Exec(ctx, insert, "p1")
			return mine
		}); !errors.Is(err, mine) || count() != 0 {
			t.Fatalf("err = %v with %d rows, want the function's error and none", err, count())
		}
		err = d.Pipeline(ctx, func(tx *db.DB) error {
			for _, name := range []string{"p1", "p2", "p3"} {
				res, err := tx.Exec(ctx, insert, name)
				if err != nil {
					return err
				}
				if _, err := res.RowsAffected(); (err != nil) != (d.Dialect == db.Postgres) {
					t.Errorf("%s: RowsAffected of a pipelined insert: %v", d.Dialect, err)
				}
			}
			return tx.Transact(ctx, func(inner *db.DB) error { // composes like Transact
				_, err := inner.Exec(ctx, `UPDATE secrets SET value = 'y' WHERE name = $1`, "p3")
				return err
			})
		})
		var v string
		if err != nil || count() != 3 || d.QueryRow(ctx, `SELECT value FROM secrets WHERE name = 'p3'`).Scan(&v) != nil || v != "y" {
			t.Fatalf("err = %v, %d rows, p3 = %q; want nil, 3, y", err, count(), v)
		}
		if d.Dialect != db.Postgres {
			return
		}
		defer func() {
			if recover() == nil {
				t.Error("a query inside a PostgreSQL pipeline did not panic")
			}
		}()
		_ = d.Pipeline(ctx, func(tx *db.DB) error {
			var n int
			return tx.QueryRow(ctx, `SELECT 1`).Scan(&n)
		})
	})
}
