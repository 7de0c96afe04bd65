// Package throttle slows down guessing: it counts failures per key (an
// account, an address) and, past a free allowance, blocks the key for a
// delay that doubles with each failure up to a ceiling. Nothing is ever
// locked for good, and failures older than the window are forgotten.
package throttle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/emgek/emgek/internal/db"
)

// Policy says how a kind of key is throttled.
type Policy struct {
	Free   int           // failures that cost no delay; the next one does
	Base   time.Duration // first delay
	Max    time.Duration // ceiling of the delay
	Window time.Duration // failures older than this are forgotten
}

// Throttle keeps the counts in the database, shared by every instance.
type Throttle struct {
	DB  *db.DB
	Now func() time.Time
}

// Wait returns how long key must still wait; 0 when it may try now.
func (t *Throttle) Wait(ctx context.Context, key string) (time.Duration, error) {
	var until time.Time
	err := t.DB.QueryRow(ctx, `SELECT blocked_until FROM throttles WHERE key = $1`, key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("throttle.Wait: %w", err)
	}
	if d := until.Sub(t.Now()); d > 0 {
		return d, nil
	}
	return 0, nil
}

// Fail records a failure of key and returns the delay it now has.
func (t *Throttle) Fail(ctx context.Context, key string, p Policy) (time.Duration, error) {
	now := t.Now().UTC()
	var delay time.Duration
	err := t.DB.Transact(ctx, func(tx *db.DB) error {
		var n int
		err := tx.WriteRow(ctx, `
			INSERT INTO throttles (key, failures, last_failure_at, blocked_until) VALUES ($1, 1, $2, $2)
			ON CONFLICT (key) DO UPDATE SET
				failures = CASE WHEN throttles.last_failure_at < $3 THEN 1 ELSE throttles.failures + 1 END,
				last_failure_at = $2
			RETURNING failures`, key, now, now.Add(-p.Window)).Scan(&n)
		if err != nil {
			return err
		}
		delay = p.delay(n)
		_, err = tx.Exec(ctx, `UPDATE throttles SET blocked_until = $2 WHERE key = $1`, key, now.Add(delay))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("throttle.Fail: %w", err)
	}
	return delay, nil
}

// Reset forgets the failures of key (after a successful login).
func (t *Throttle) Reset(ctx context.Context, key string) error {
	if _, err := t.DB.Exec(ctx, `DELETE FROM throttles WHERE key = $1`, key); err != nil {
		return fmt.Errorf("throttle.Reset: %w", err)
	}
	return nil
}

func (p Policy) delay(failures int) time.Duration {
	over := failures - p.Free
	if over <= 0 {
		return 0
	}
	d := p.Base
	for i := 1; i < over && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}
