package db

import (
	"context"
	"database/sql/driver"
	"strings"
)

// SQLite parses a statement's text every time it is not prepared, and
// parsing is a large share of a short statement's cost (a fifth of an
// application's submission, the job queue's inserts included). Each SQLite
// connection therefore keeps its statements prepared, by their text — for
// every user of the connection: this package, the job queue, the session
// store. PostgreSQL's driver does the same on its own.

// maxCached bounds the statements a connection keeps; texts beyond it
// (one-off statements built for a single use) run prepared once.
const maxCached = 256

// stmtConnector opens connections that keep their prepared statements;
// steady ones finish their statements whatever becomes of the context.
type stmtConnector struct {
	driver.Connector
	steady bool
}

func (c stmtConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &stmtConn{Conn: conn, cache: map[string]*cachedStmt{}, steady: c.steady}, nil
}

func (c stmtConnector) Driver() driver.Driver { return c.Connector.Driver() }

// stmtConn is a connection with its statement cache. database/sql uses a
// connection from one goroutine at a time, so the cache needs no lock.
type stmtConn struct {
	driver.Conn
	cache  map[string]*cachedStmt
	steady bool
}

// statementContext is ctx, or for a steady connection ctx without its
// cancellation: the SQLite driver interrupts a statement whose context
// ends.
func (c *stmtConn) statementContext(ctx context.Context) context.Context {
	if c.steady {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

type cachedStmt struct {
	st   driver.Stmt
	busy bool // its rows are being read: another use needs its own statement
}

// Unwrap is the driver's connection (the driver sees through wrappers).
func (c *stmtConn) Unwrap() driver.Conn { return c.Conn }

// The optional interfaces of the driver's connections, forwarded.
func (c *stmtConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(c.statementContext(ctx), opts)
}

func (c *stmtConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

func (c *stmtConn) Ping(ctx context.Context) error { return c.Conn.(driver.Pinger).Ping(ctx) }

func (c *stmtConn) ResetSession(ctx context.Context) error {
	return c.Conn.(driver.SessionResetter).ResetSession(ctx)
}

func (c *stmtConn) IsValid() bool { return c.Conn.(driver.Validator).IsValid() }

func (c *stmtConn) Close() error {
	for _, cs := range c.cache {
		_ = cs.st.Close()
	}
	c.cache = nil
	return c.Conn.Close()
}

// stmt returns the statement of query: the cached one, or a new one that
// is cached unless the cached one is busy, the cache is full or the text
// is long (a script); own reports that the caller must close it after use.
func (c *stmtConn) stmt(ctx context.Context, query string) (cs *cachedStmt, own bool, err error) {
	if cs, ok := c.cache[query]; ok && !cs.busy {
		return cs, false, nil
	}
	st, err := c.PrepareContext(ctx, query)
	if err != nil {
		return nil, false, err
	}
	cs = &cachedStmt{st: st}
	if _, ok := c.cache[query]; ok || len(query) > 8192 || isDDL(query) {
		return cs, true, nil
	}
	if len(c.cache) >= maxCached { // make room: one statement not in use goes
		for q, old := range c.cache {
			if !old.busy {
				_ = old.st.Close()
				delete(c.cache, q)
				break
			}
		}
	}
	c.cache[query] = cs
	return cs, false, nil
}

// isDDL reports a schema change (migrations), run once: not worth a slot.
func isDDL(query string) bool {
	q := strings.TrimSpace(query)
	for _, p := range []string{"CREATE ", "ALTER ", "DROP ", "create ", "alter ", "drop "} {
		if strings.HasPrefix(q, p) {
			return true
		}
	}
	return false
}

func (c *stmtConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ctx = c.statementContext(ctx)
	cs, own, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := cs.st.(driver.StmtExecContext).ExecContext(ctx, args)
	if own {
		_ = cs.st.Close()
	}
	return res, err
}

func (c *stmtConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	ctx = c.statementContext(ctx)
	cs, own, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := cs.st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if err != nil {
		if own {
			_ = cs.st.Close()
		}
		return nil, err
	}
	cs.busy = true
	return &cachedRows{Rows: rows, done: func() {
		cs.busy = false
		if own {
			_ = cs.st.Close()
		}
	}}, nil
}

// cachedRows frees its statement for the next use when closed.
type cachedRows struct {
	driver.Rows
	done func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.done != nil {
		r.done()
		r.done = nil
	}
	return err
}

// The optional interfaces of the driver's rows, forwarded.
func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}
