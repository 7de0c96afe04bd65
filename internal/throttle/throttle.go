// Package throttle slows down guessing: it counts attempts per key (an
// account, an address, a device) and, past a free allowance, blocks the
// key for a delay that doubles with each failure up to a ceiling. Nothing
// is ever locked for good, and attempts older than the window are
// forgotten.
//
// An attempt is reserved before the password is checked, in one atomic
// statement, so parallel guesses are counted as they arrive rather than
// after their (deliberately slow) checks; a successful attempt is refunded.
package throttle

import (
	"context"
	"fmt"
	"time"

	"github.com/emgek/emgek/internal/db"
)

// Policy says how a kind of key is throttled.
type Policy struct {
	Free   int           // attempts that cost no delay; the next one does
	Base   time.Duration // first delay
	Max    time.Duration // ceiling of the delay
	Window time.Duration // attempts older than this are forgotten
}

// Throttle keeps the counts in the database, shared by every instance.
type Throttle struct {
	DB  *db.DB
	Now func() time.Time
}

// Reserve counts an attempt of key. When the key is blocked it returns
// how long to wait and counts nothing; otherwise 0, and the key is
// blocked for the delay this attempt would earn if it fails.
func (t *Throttle) Reserve(ctx context.Context, key string, p Policy) (time.Duration, error) {
	now := t.Now().UTC()
	var wait time.Duration
	err := t.DB.Transact(ctx, func(tx *db.DB) error {
		// The upsert locks the row (PostgreSQL) or holds the only writer
		// (SQLite): concurrent attempts of one key are serialized here.
		var n int
		var until time.Time
		err := tx.WriteRow(ctx, `
			INSERT INTO throttles (key, failures, last_failure_at, blocked_until) VALUES ($1, 1, $2, $4)
			ON CONFLICT (key) DO UPDATE SET
				failures = CASE WHEN throttles.last_failure_at < $3 THEN 1 ELSE throttles.failures + 1 END,
				last_failure_at = $2
			RETURNING failures, blocked_until`, key, now, now.Add(-p.Window), notBlocked).Scan(&n, &until)
		if err != nil {
			return err
		}
		if until.After(now) {
			wait = until.Sub(now)
			_, err = tx.Exec(ctx, `UPDATE throttles SET failures = failures - 1 WHERE key = $1`, key)
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE throttles SET blocked_until = $2 WHERE key = $1`, key, p.until(now, n))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("throttle.Reserve: %w", err)
	}
	return wait, nil
}

// Refund gives back a reserved attempt that succeeded.
func (t *Throttle) Refund(ctx context.Context, key string, p Policy) error {
	now := t.Now().UTC()
	err := t.DB.Transact(ctx, func(tx *db.DB) error {
		var n int
		err := tx.WriteRow(ctx, `UPDATE throttles SET failures = failures - 1 WHERE key = $1 AND failures > 0 RETURNING failures`, key).Scan(&n)
		if err != nil {
			return nil // nothing reserved: nothing to give back
		}
		_, err = tx.Exec(ctx, `UPDATE throttles SET blocked_until = $2 WHERE key = $1`, key, p.until(now, n))
		return err
	})
	if err != nil {
		return fmt.Errorf("throttle.Refund: %w", err)
	}
	return nil
}

// Reset forgets the attempts of key (after a successful login).
func (t *Throttle) Reset(ctx context.Context, key string) error {
	if _, err := t.DB.Exec(ctx, `DELETE FROM throttles WHERE key = $1`, key); err != nil {
		return fmt.Errorf("throttle.Reset: %w", err)
	}
	return nil
}

// notBlocked is the blocked_until of a key without a delay: long past, so
// that a concurrent attempt whose clock read a moment earlier does not
// mistake "blocked until now" for a block.
var notBlocked = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// until is when a key with n counted attempts may try again.
func (p Policy) until(now time.Time, n int) time.Time {
	if d := p.delay(n); d > 0 {
		return now.Add(d)
	}
	return notBlocked
}

// delay is the wait after n counted attempts.
func (p Policy) delay(n int) time.Duration {
	over := n - p.Free
	if over <= 0 {
		return 0
	}
	d := p.Base
	for i := 1; i < over && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

// Sweep forgets keys whose attempts are older than the longest window
// and which are not blocked.
func (t *Throttle) Sweep(ctx context.Context, window time.Duration) error {
	now := t.Now().UTC()
	if _, err := t.DB.Exec(ctx, `DELETE FROM throttles WHERE last_failure_at < $1 AND blocked_until < $2`, now.Add(-window), now); err != nil {
		return fmt.Errorf("throttle.Sweep: %w", err)
	}
	return nil
}
