// Package db opens Emgek's database — SQLite by default, PostgreSQL in
// production — migrates it, and runs transactions.
//
// One SQL text serves both dialects wherever possible: $N placeholders,
// TEXT statuses with CHECK, RETURNING, ON CONFLICT, and times passed in
// from Go in UTC. On SQLite there is exactly one writer connection (shared
// by the application, the session store and the job queue: a second writer
// would only meet SQLITE_BUSY) and a pool of readers. On PostgreSQL both
// are the same pool.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" database/sql driver
	"modernc.org/sqlite"               // the SQLite driver, pure Go
)

// Dialect names the SQL database in use.
type Dialect string

// The two dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the database, or a transaction on it: stores are built on a *DB and
// work the same inside and outside Transact.
type DB struct {
	Dialect Dialect
	w       *sql.DB // writes (SQLite: one connection)
	r       *sql.DB // reads outside transactions
	tx      *sql.Tx // non-nil inside Transact
	pipe    *pipe   // non-nil inside Pipeline on PostgreSQL (pipeline.go)
	// writer runs SQLite's write transactions, in the order they came
	// (database/sql hands a free connection to a random waiter, which
	// under load left some requests waiting far longer than the rest) and
	// several to a commit when they queue (writer.go). nil on PostgreSQL.
	writer *writer
}

// Open connects to url: "postgres://…" selects PostgreSQL; "sqlite:PATH" or
// a bare path selects SQLite (the folder is created).
func Open(ctx context.Context, url string) (*DB, error) {
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		return openPostgres(ctx, url)
	}
	return openSQLite(ctx, strings.TrimPrefix(strings.TrimPrefix(url, "sqlite:"), "//"))
}

func openPostgres(ctx context.Context, url string) (*DB, error) {
	pool, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("db.Open postgres: %w", err)
	}
	pool.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
	pool.SetMaxIdleConns(max(8, 4*runtime.NumCPU()))
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db.Open postgres: %w", err)
	}
	return &DB{Dialect: Postgres, w: pool, r: pool}, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("db.Open sqlite: empty path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("db.Open sqlite: %w", err)
	}
	// busy_timeout first so that setting WAL waits instead of failing;
	// _time_format=sqlite stores UTC times as sortable text.
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	w, err := openCached(dsn+"&_txlock=immediate", true)
	if err != nil {
		return nil, fmt.Errorf("db.Open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("db.Open sqlite: %w", err)
	}
	r, err := openCached(dsn+"&_pragma=query_only(1)", false)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("db.Open sqlite: %w", err)
	}
	r.SetMaxOpenConns(max(4, runtime.NumCPU()))
	r.SetMaxIdleConns(max(4, runtime.NumCPU()))
	d := &DB{Dialect: SQLite, w: w, r: r}
	d.writer = newWriter(d)
	return d, nil
}

// openCached is a SQLite pool whose connections keep their statements
// prepared (stmtcache.go). A steady pool's statements run to their end
// even when their context is cancelled: the writer's, because SQLite
// answers an interrupted write by rolling back the whole transaction —
// with a group of them (writer.go), the others' too.
func openCached(dsn string, steady bool) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(stmtConnector{Connector: c, steady: steady}), nil
}

// Close closes the pools.
func (d *DB) Close() error {
	if d.tx != nil {
		return errors.New("db: Close called on a transaction")
	}
	if d.writer != nil {
		d.writer.close()
	}
	err := d.w.Close()
	if d.r != d.w {
		err = errors.Join(err, d.r.Close())
	}
	return err
}

// Writer is the pool writes go to (SQLite: its one connection), for
// libraries that need a *sql.DB of their own: the job queue and sessions.
func (d *DB) Writer() *sql.DB { return d.w }

// Reader is the pool for reads outside transactions.
func (d *DB) Reader() *sql.DB { return d.r }

// Tx is the transaction the DB is bound to, or nil outside Transact; the
// job queue inserts its jobs with it.
func (d *DB) Tx() *sql.Tx {
	d.refuse("Tx")
	return d.tx
}

// Exec runs a statement on the transaction or the writer.
func (d *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if d.pipe != nil {
		// Sent later: a copy, in case the caller reuses its slice.
		d.pipe.stmts = append(d.pipe.stmts, pipedStmt{query, slices.Clone(args)})
		return queued{}, nil
	}
	if d.tx != nil {
		return d.tx.ExecContext(ctx, query, args...)
	}
	if d.writer != nil { // in its turn, and perhaps with others
		var res sql.Result
		err := d.writer.transact(ctx, func(tx *DB) (err error) {
			res, err = tx.Exec(ctx, query, args...)
			return err
		})
		return res, err
	}
	return d.w.ExecContext(ctx, query, args...)
}

// Query runs a read on the transaction or the reader pool.
func (d *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	d.refuse("Query")
	if d.tx != nil {
		return d.tx.QueryContext(ctx, query, args...)
	}
	return d.r.QueryContext(ctx, query, args...)
}

// QueryRow runs a one-row read on the transaction or the reader pool.
func (d *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	d.refuse("QueryRow")
	if d.tx != nil {
		return d.tx.QueryRowContext(ctx, query, args...)
	}
	return d.r.QueryRowContext(ctx, query, args...)
}

// WriteRow runs a statement that returns one row (INSERT … RETURNING,
// UPDATE … RETURNING) on the transaction or the writer.
func (d *DB) WriteRow(ctx context.Context, query string, args ...any) *sql.Row {
	d.refuse("WriteRow")
	if d.tx != nil {
		return d.tx.QueryRowContext(ctx, query, args...)
	}
	return d.w.QueryRowContext(ctx, query, args...)
}

// Transact runs fn in a transaction, committing when fn returns nil and
// rolling back otherwise. Inside a transaction it simply calls fn, so
// functions that need atomicity can be composed.
//
// On SQLite the transaction holds the only writer connection: fn must use
// the tx it is given, never the outer DB, or it would wait for itself. It
// runs on the writer's goroutine, perhaps in one commit with others
// (writer.go); a panic in it is raised again in the caller as a *Panic,
// with the stack it had.
func (d *DB) Transact(ctx context.Context, fn func(tx *DB) error) (err error) {
	if d.tx != nil || d.pipe != nil {
		return fn(d)
	}
	if d.writer != nil {
		return d.writer.transact(ctx, fn)
	}
	sqlTx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db.Transact begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
			return
		}
		if cerr := sqlTx.Commit(); cerr != nil {
			err = fmt.Errorf("db.Transact commit: %w", cerr)
		}
	}()
	return fn(&DB{Dialect: d.Dialect, w: d.w, r: d.r, tx: sqlTx})
}

// Ping checks that the database answers a query.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	if err := d.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("db.Ping: %w", err)
	}
	return nil
}

// IsUniqueViolation reports whether err is a unique-constraint violation
// on either dialect.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// IDs runs a query returning one integer column (ids to work through one
// by one) and reads it whole, so the rows are closed before the work
// starts — on SQLite the work's transactions need the connection.
func (d *DB) IDs(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := d.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Values is the VALUES list of a many-row insert: rows groups of cols
// placeholders, "($1, $2), ($3, $4)". One statement instead of one a row
// spares PostgreSQL a round trip a row.
func Values(rows, cols int) string {
	var b strings.Builder
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(i*cols + j + 1))
		}
		b.WriteByte(')')
	}
	return b.String()
}
