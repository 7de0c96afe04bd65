package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"
)

// SQLite's commit writes every page the transaction changed to the WAL, a
// system call each, and updates the WAL's index: a fifth of a quota
// submission's time, spent while the one writer connection waits. When
// transactions queue for the writer, one commit serves several of them:
// the writer runs each in a savepoint of one transaction — its own
// statements rolled back alone when its function fails — and commits them
// together. Consecutive applications change the same last pages of each
// table and index, so a group writes few more pages than one of them.
//
// Every transaction still returns only once its group has ended, committed
// or rolled back — a failed one too — in the order they came. Its function
// sees the changes of the transactions grouped before it, as it would have
// had they committed first; if the group's commit fails, all of them fail. A function may not
// wait for another transaction to commit — no function does — nor end its
// goroutine (t.Fatal in a test): it runs on the writer's.

// maxGroup bounds the transactions one commit serves, so the first of
// them does not wait for many more.
const maxGroup = 16

// writer runs SQLite's write transactions on one goroutine.
type writer struct {
	d    *DB // the outer DB: its writer pool, and the transactions' DBs
	reqs chan *writeReq
	quit chan struct{}
	stop sync.Once     // closes quit
	done chan struct{} // closed when run has returned
	// commits counts the groups committed, for the tests: read it after
	// close.
	commits int
}

// writeReq is one Transact waiting for the writer.
type writeReq struct {
	ctx      context.Context
	fn       func(tx *DB) error
	err      error
	panicked *Panic
	finished chan struct{}
}

// groupTime bounds how long a group takes in more members: the first
// waits for all of them.
const groupTime = 5 * time.Millisecond

var errClosed = errors.New("db: closed")

func newWriter(d *DB) *writer {
	g := &writer{d: d, reqs: make(chan *writeReq), quit: make(chan struct{}), done: make(chan struct{})}
	go g.run()
	return g
}

// transact hands fn to the writer and waits until it is committed.
func (g *writer) transact(ctx context.Context, fn func(tx *DB) error) error {
	r := &writeReq{ctx: ctx, fn: fn, finished: make(chan struct{})}
	select {
	case g.reqs <- r:
	case <-ctx.Done():
		return fmt.Errorf("db.Transact: %w", ctx.Err())
	case <-g.quit:
		return fmt.Errorf("db.Transact: %w", errClosed)
	}
	<-r.finished
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

// close stops the writer after the group it is running; again, it does
// nothing.
func (g *writer) close() {
	g.stop.Do(func() { close(g.quit) })
	<-g.done
}

func (g *writer) run() {
	defer close(g.done)
	for {
		select {
		case r := <-g.reqs:
			g.group(r)
		case <-g.quit:
			return
		}
	}
}

// group runs first, and those that queue meanwhile, in one transaction.
// Every member learns its outcome once the transaction has ended — a
// failed one too: its caller may look, outside the transaction, for what
// a member before it wrote (a double click's first application).
func (g *writer) group(first *writeReq) {
	bg := context.Background()
	tx, err := g.d.w.BeginTx(bg, nil)
	if err != nil {
		first.err = fmt.Errorf("db.Transact begin: %w", err)
		close(first.finished)
		return
	}
	var members []*writeReq // each with its outcome but for the commit's
	start := time.Now()
	for r, n := first, 1; r != nil; n++ {
		members = append(members, r)
		if err := g.member(bg, tx, r); err != nil { // the transaction is gone: nothing in it stays
			_ = tx.Rollback()
			for _, m := range members {
				if m.err == nil && m.panicked == nil {
					m.err = fmt.Errorf("db.Transact: the transaction it shared failed: %w", err)
				}
				close(m.finished)
			}
			return
		}
		r = nil
		if n < maxGroup && time.Since(start) < groupTime {
			select {
			case r = <-g.reqs:
			default:
			}
		}
	}
	err = tx.Commit()
	if err == nil {
		g.commits++
	}
	for _, m := range members {
		if err != nil && m.err == nil && m.panicked == nil {
			m.err = fmt.Errorf("db.Transact commit: %w", err)
		}
		close(m.finished)
	}
}

// member runs r's function in a savepoint of tx, leaving in r its error or
// panic. err: tx can no longer be used.
func (g *writer) member(bg context.Context, tx *sql.Tx, r *writeReq) error {
	if err := r.ctx.Err(); err != nil {
		r.err = fmt.Errorf("db.Transact: %w", err)
		return nil
	}
	if _, err := tx.ExecContext(bg, "SAVEPOINT member"); err != nil {
		r.err = fmt.Errorf("db.Transact: %w", err)
		return err
	}
	r.err = run(r, &DB{Dialect: g.d.Dialect, w: g.d.w, r: g.d.r, tx: tx})
	if r.err == nil && r.panicked == nil {
		if _, err := tx.ExecContext(bg, "RELEASE member"); err != nil {
			r.err = fmt.Errorf("db.Transact: %w", err)
			return err
		}
		return nil
	}
	// Some errors (a full disk, say) end the whole transaction: then the
	// savepoint is gone too, and so is everything grouped before r.
	for _, undo := range []string{"ROLLBACK TO member", "RELEASE member"} {
		if _, err := tx.ExecContext(bg, undo); err != nil {
			r.err = errors.Join(r.err, err)
			return err
		}
	}
	return nil
}

// run calls r's function, keeping a panic for its caller to raise again.
func run(r *writeReq, tx *DB) (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked = &Panic{Value: p, Stack: debug.Stack()}
		}
	}()
	return r.fn(tx)
}

// Panic is a panic of a transaction's function on SQLite, raised again in
// the function's caller: its value, and the stack where it began (on the
// writer's goroutine) — the caller's own stack would not show it.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string { return fmt.Sprintf("%v\n\nin a transaction:\n%s", p.Value, p.Stack) }

// Unwrap is the value, when it is an error (http.ErrAbortHandler, say).
func (p *Panic) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}
