package db_test

import (
	"io/fs"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
)

// TestMigrationParity: both dialects have the same migration files.
func TestMigrationParity(t *testing.T) {
	names := func(dir string) []string {
		entries, err := fs.ReadDir(db.Migrations, "migrations/"+dir)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	if diff := cmp.Diff(names("sqlite"), names("postgres")); diff != "" {
		t.Fatalf("migration files differ between dialects (-sqlite +postgres):\n%s", diff)
	}
}

// TestMigrate migrates both dialects, twice (the second time is a no-op),
// and checks reference data arrived.
func TestMigrate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if err := d.Migrate(t.Context()); err != nil {
			t.Fatalf("second migration: %v", err)
		}
		var n int
		if err := d.QueryRow(t.Context(), `SELECT count(*) FROM countries`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < 240 {
			t.Fatalf("%d countries loaded, want about 249", n)
		}
		var kg string
		if err := d.QueryRow(t.Context(), `SELECT name_ru FROM countries WHERE code = 'KG'`).Scan(&kg); err != nil || kg != "Кыргызстан" {
			t.Fatalf("KG in Russian = %q, %v; want Кыргызстан", kg, err)
		}
	})
}

// TestTransact: a failing function rolls back; a nested call joins.
func TestTransact(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		insert := func(tx *db.DB, name string) error {
			_, err := tx.Exec(ctx, `INSERT INTO secrets (name, value, created_at) VALUES ($1, 'x', CURRENT_TIMESTAMP)`, name)
			return err
		}
		err := d.Transact(ctx, func(tx *db.DB) error {
			if err := insert(tx, "a"); err != nil {
				return err
			}
			return tx.Transact(ctx, func(inner *db.DB) error { return insert(inner, "a") }) // duplicate: fails
		})
		if !db.IsUniqueViolation(err) {
			t.Fatalf("err = %v, want a unique violation", err)
		}
		var n int
		if err := d.QueryRow(ctx, `SELECT count(*) FROM secrets WHERE name = 'a'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("after rollback %d rows (%v), want 0", n, err)
		}
		s1, err := d.Secret(ctx, "k")
		if err != nil {
			t.Fatal(err)
		}
		s2, err := d.Secret(ctx, "k")
		if err != nil || string(s1) != string(s2) || len(s1) != 32 {
			t.Fatalf("Secret not stable: %x %x %v", s1, s2, err)
		}
	})
}

// TestConcurrentMigrations: instances starting together on one PostgreSQL
// database migrate one after the other, without a deadlock.
func TestConcurrentMigrations(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		if dialect != db.Postgres {
			continue
		}
		url := dbtest.EmptyURL(t)
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d, err := db.Open(t.Context(), url)
				if err != nil {
					errs[i] = err
					return
				}
				defer d.Close()
				errs[i] = d.Migrate(t.Context())
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}
