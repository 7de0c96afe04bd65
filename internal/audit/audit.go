// Package audit writes the append-only record of who did what to which
// record, when and from where. A row is written in the same transaction
// as the change it records, so there is never a change without its row.
package audit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/emgek/emgek/internal/db"
)

// Event is one audited action. Detail must never hold personal data such
// as an IIN or a passport number: refer to records by id.
type Event struct {
	Actor  string // "staff:3", "cabinet:7", "anonymous", "system"
	Action string // "cabinet.activate", "staff.create", …
	Object string // "cabinet:7"
	IP     string
	Detail string
}

// Record appends e in tx's transaction.
func Record(ctx context.Context, tx *db.DB, at time.Time, e Event) error {
	// Microseconds: what PostgreSQL keeps, so the sealed text is stable.
	_, err := tx.Exec(ctx, `INSERT INTO audit_events (at, actor, action, object, ip, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		at.UTC().Truncate(time.Microsecond), e.Actor, e.Action, e.Object, e.IP, e.Detail)
	if err != nil {
		return fmt.Errorf("audit.Record %s: %w", e.Action, err)
	}
	return nil
}

// Row is a recorded event.
type Row struct {
	ID int64
	At time.Time
	Event
}

// ForObject lists the events about one record, oldest first.
func ForObject(ctx context.Context, d *db.DB, object string) ([]Row, error) {
	rows, err := d.Query(ctx, `SELECT id, at, actor, action, object, ip, detail FROM audit_events WHERE object = $1 ORDER BY id`, object)
	if err != nil {
		return nil, fmt.Errorf("audit.ForObject: %w", err)
	}
	defer rows.Close()
	var out []Row
	for rows.Next() {
		var r Row
		if err := rows.Scan(&r.ID, &r.At, &r.Actor, &r.Action, &r.Object, &r.IP, &r.Detail); err != nil {
			return nil, fmt.Errorf("audit.ForObject: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Lookup records an access to a person's or an organisation's record in a
// state registry: a registry_lookups row (which registry, whose record,
// why, what came of it, who asked) and an audit row naming it by id, so
// identifiers stay out of the audit trail's text. result is "found",
// "not_found" or "unavailable".
func Lookup(ctx context.Context, tx *db.DB, at time.Time, registry, subject, purpose, result string, by Event) error {
	var id int64
	if err := tx.WriteRow(ctx, `INSERT INTO registry_lookups (registry, subject, purpose, result, actor, at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		registry, subject, purpose, result, by.Actor, at).Scan(&id); err != nil {
		return fmt.Errorf("audit: record look-up: %w", err)
	}
	by.Action, by.Object, by.Detail = "registry.lookup", "lookup:"+strconv.FormatInt(id, 10), registry+" "+purpose+" "+result
	return Record(ctx, tx, at, by)
}
