package casework

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/jobs"
)

// SendConfirmations queues the "application received" emails of up to
// limit cases waiting for them (case_confirmations) and takes them off
// the list, in one transaction; it returns how many. A lifecycle with
// Confirm puts a case on the list at its first submission, in the sending
// transaction: the job queue's insert (a row with many indexes) stays out
// of it, which on SQLite holds the one writer, and the entry commits with
// the application, so no confirmation is lost to a crash. Instances may
// run it at once: deleting an entry claims its case.
func SendConfirmations(ctx context.Context, d *db.DB, q *jobs.Queue, limit int) (int, error) {
	var waiting int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM case_confirmations UNION ALL SELECT 1 FROM cases WHERE confirm_pending LIMIT 1) w`).
		Scan(&waiting); err != nil || waiting == 0 {
		return 0, err
	}
	// On PostgreSQL a claim skips entries another instance is claiming,
	// rather than waiting for its commit and then finding them gone.
	skip := ""
	if d.Dialect == db.Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	var claimed int
	err := d.Transact(ctx, func(tx *db.DB) error {
		// Cases marked by the release before (migration 00019), still
		// running during a rolling upgrade, join the list: clearing the
		// mark claims the case, there as here.
		marked, err := tx.IDs(ctx, `UPDATE cases SET confirm_pending = NULL
			WHERE confirm_pending AND id IN (SELECT id FROM cases WHERE confirm_pending ORDER BY id LIMIT $1`+skip+`) RETURNING id`, limit)
		if err != nil {
			return err
		}
		if len(marked) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO case_confirmations (case_id) VALUES `+db.Values(len(marked), 1), anys(marked)...); err != nil {
				return err
			}
		}
		ids, err := tx.IDs(ctx, `DELETE FROM case_confirmations
			WHERE case_id IN (SELECT case_id FROM case_confirmations ORDER BY case_id LIMIT $1`+skip+`) RETURNING case_id`, limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		claimed = len(ids)
		in := make([]string, len(ids))
		for i := range ids {
			in[i] = "$" + strconv.Itoa(i+1)
		}
		rows, err := tx.Query(ctx, `SELECT c.id, COALESCE(c.number, ''), c.service, c.due_at, k.email, k.lang
			FROM cases c JOIN cabinets k ON k.id = c.cabinet_id WHERE c.id IN (`+strings.Join(in, ", ")+`) ORDER BY c.id`, anys(ids)...)
		if err != nil {
			return err
		}
		emails := make([]jobs.Email, 0, len(ids))
		for rows.Next() {
			var id int64
			var number, service, email, lang string
			var dueAt *time.Time
			if err := rows.Scan(&id, &number, &service, &dueAt, &email, &lang); err != nil {
				rows.Close()
				return err
			}
			dueOn := ""
			if dueAt != nil {
				dueOn = dueAt.Format(time.DateOnly)
			}
			emails = append(emails, jobs.Email{Name: "application_received", Lang: lang, To: email,
				Data: map[string]any{"Number": number, "Service": service, "Due": dueOn, "ID": id}})
		}
		if err := rows.Close(); err != nil {
			return err
		}
		return q.MailMany(ctx, tx, emails)
	})
	if err != nil {
		return 0, fmt.Errorf("casework.SendConfirmations: %w", err)
	}
	return claimed, nil
}

// anys is ids as query arguments.
func anys(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
