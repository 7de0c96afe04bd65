package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// A transaction on PostgreSQL costs a round trip for BEGIN, one for each
// statement and one for COMMIT; on a busy server each round trip is a
// write and a read on both sides of the socket — more than the work of a
// short insert. A transaction that only writes, whose statements need
// nothing from each other's answers, can be sent whole instead.

// errPipelined is what a pipelined statement's result says when asked.
var errPipelined = errors.New("db: a pipelined statement has no result until the pipeline ends")

// pipe holds the statements of a Pipeline while its function runs.
type pipe struct{ stmts []pipedStmt }

type pipedStmt struct {
	query string
	args  []any
}

// queued is the result of a statement a pipeline has only queued.
type queued struct{}

func (queued) LastInsertId() (int64, error) { return 0, errPipelined }
func (queued) RowsAffected() (int64, error) { return 0, errPipelined }

// Pipeline runs fn's statements as one transaction, all or none. On
// PostgreSQL they are queued while fn runs and then sent together: one
// round trip for the whole transaction. fn may therefore only Exec, and
// learns whether its statements worked from Pipeline's error (a unique
// violation among them is still IsUniqueViolation); a query in it, or a
// job (which needs Tx), is a programming error and panics. On SQLite,
// in-process, Pipeline is Transact. Inside a transaction it simply calls
// fn with it.
func (d *DB) Pipeline(ctx context.Context, fn func(tx *DB) error) error {
	if d.Dialect != Postgres || d.tx != nil || d.pipe != nil {
		return d.Transact(ctx, fn)
	}
	p := &pipe{}
	if err := fn(&DB{Dialect: d.Dialect, w: d.w, r: d.r, pipe: p}); err != nil {
		return err
	}
	if len(p.stmts) == 0 {
		return nil
	}
	err := d.sendBatch(ctx, p)
	if errors.Is(err, driver.ErrBadConn) { // a dead pooled connection, nothing sent: once more
		err = d.sendBatch(ctx, p)
	}
	if err != nil {
		return fmt.Errorf("db.Pipeline: %w", err)
	}
	return nil
}

// sendBatch sends p's statements on a connection of the pool.
func (d *DB) sendBatch(ctx context.Context, p *pipe) error {
	conn, err := d.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("a %T is not a pgx connection", dc)
		}
		var b pgx.Batch
		for _, s := range p.stmts {
			b.Queue(s.query, s.args...)
		}
		// One Sync ends the batch: its statements are one implicit
		// transaction, and the first error rolls all of them back.
		err := c.Conn().SendBatch(ctx, &b).Close()
		if err != nil && pgconn.SafeToRetry(err) {
			return driver.ErrBadConn // the pool drops the connection
		}
		return err
	})
}

// refuse panics: a pipelined function asked for an answer it cannot have.
func (d *DB) refuse(what string) {
	if d.pipe != nil {
		panic("db: " + what + " inside a Pipeline; only Exec is queued")
	}
}
