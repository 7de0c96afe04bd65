// Package dbtest gives tests real, migrated databases: a SQLite file in a
// temporary folder always, and a fresh PostgreSQL database whenever
// EMGEK_TEST_POSTGRES_URL names a server (an admin URL; one database is
// created per test from a migrated template and dropped afterwards).
//
// With EMGEK_TEST_STRICT=1 (the project's test command sets it) a missing
// PostgreSQL is a failure, never a silent skip.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/emgek/emgek/internal/db"
)

// Dialects lists the databases tests run on here: SQLite, and PostgreSQL
// when configured. Under EMGEK_TEST_STRICT=1 PostgreSQL is required.
func Dialects(t testing.TB) []db.Dialect {
	t.Helper()
	if os.Getenv("EMGEK_TEST_POSTGRES_URL") != "" {
		return []db.Dialect{db.SQLite, db.Postgres}
	}
	if os.Getenv("EMGEK_TEST_STRICT") == "1" {
		t.Fatal("EMGEK_TEST_POSTGRES_URL is not set: the full test run needs PostgreSQL (see scripts/test.sh)")
	}
	return []db.Dialect{db.SQLite}
}

// Each runs fn as a subtest on every dialect, each with its own database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) { fn(t, Open(t, dialect)) })
	}
}

// Open returns a migrated, empty database of the dialect, closed at the
// end of the test.
func Open(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	d, err := db.Open(t.Context(), URL(t, dialect))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if dialect == db.SQLite {
		if err := d.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// URL returns the URL of a fresh database of the dialect: a SQLite path
// (not yet migrated) or a migrated PostgreSQL database.
func URL(t testing.TB, dialect db.Dialect) string {
	t.Helper()
	if dialect == db.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "emgek.db")
	}
	return postgresURL(t)
}

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func withDatabase(admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		return admin
	}
	u.Path = "/" + name
	return u.String()
}

func postgresURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("EMGEK_TEST_POSTGRES_URL")
	if admin == "" {
		t.Fatal("EMGEK_TEST_POSTGRES_URL is not set")
	}
	templateOnce.Do(func() { templateName, templateErr = makeTemplate(admin) })
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	return newDatabase(t, admin, " TEMPLATE "+templateName)
}

// EmptyURL is a new PostgreSQL database with no tables (not migrated),
// dropped at the end of the test.
func EmptyURL(t testing.TB) string {
	t.Helper()
	admin := os.Getenv("EMGEK_TEST_POSTGRES_URL")
	if admin == "" {
		t.Fatal("EMGEK_TEST_POSTGRES_URL is not set")
	}
	return newDatabase(t, admin, "")
}

func newDatabase(t testing.TB, admin, template string) string {
	t.Helper()
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	name := randomName("emgek_t_")
	if _, err := conn.ExecContext(t.Context(), `CREATE DATABASE `+name+template); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = c.ExecContext(context.Background(), fmt.Sprintf(`DROP DATABASE IF EXISTS %s WITH (FORCE)`, name))
	})
	return withDatabase(admin, name)
}

// makeTemplate migrates one database per test process, which every test
// database is then copied from (much faster than migrating each).
func makeTemplate(admin string) (string, error) {
	ctx := context.Background()
	conn, err := sql.Open("pgx", admin)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	name := randomName("emgek_tmpl_")
	if _, err := conn.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		return "", fmt.Errorf("create template database: %w", err)
	}
	d, err := db.Open(ctx, withDatabase(admin, name))
	if err != nil {
		return "", err
	}
	err = d.Migrate(ctx)
	d.Close()
	if err != nil {
		return "", fmt.Errorf("migrate template database: %w", err)
	}
	return name, nil
}
