package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

// Migrations holds one tree of goose SQL files per dialect with the same
// file names (a test checks); reference data is loaded by them too.
//
//go:embed migrations
var Migrations embed.FS

// migrationLock is the PostgreSQL advisory lock instances take while they
// migrate: several starting at once migrate one after the other, and the
// later ones find nothing left to do.
const migrationLock = 0x656d67656b // "emgek"

// Migrate brings the schema up to date: Emgek's own tables first, then the
// job queue's, which River migrates itself.
func (d *DB) Migrate(ctx context.Context) error {
	if d.Dialect == Postgres {
		conn, err := d.w.Conn(ctx)
		if err != nil {
			return fmt.Errorf("db.Migrate lock: %w", err)
		}
		// The lock's session is thrown away afterwards, not returned to the
		// pool: closing it releases the lock whatever happened meanwhile.
		defer func() {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			_ = conn.Close()
		}()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
			return fmt.Errorf("db.Migrate lock: %w", err)
		}
	}
	return d.migrate(ctx)
}

func (d *DB) migrate(ctx context.Context) error {
	sub, err := fs.Sub(Migrations, "migrations/"+string(d.Dialect))
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	if d.Dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	p, err := goose.NewProvider(dialect, d.w, sub)
	if err != nil {
		return fmt.Errorf("db.Migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("db.Migrate: %w", err)
	}
	return d.migrateRiver(ctx)
}

func (d *DB) migrateRiver(ctx context.Context) error {
	var err error
	switch d.Dialect {
	case SQLite:
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riversqlite.New(d.w), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	case Postgres:
		var m *rivermigrate.Migrator[*sql.Tx]
		if m, err = rivermigrate.New(riverdatabasesql.New(d.w), nil); err == nil {
			_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		}
	}
	if err != nil {
		return fmt.Errorf("db.Migrate river: %w", err)
	}
	return nil
}
