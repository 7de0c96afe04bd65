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
	type due struct {
		id, cabinet     int64
		number, service string
		dueAt           *time.Time
	}
	// On PostgreSQL a claim skips entries another instance is claiming,
	// rather than waiting for its commit and then finding them gone.
	skip := ""
	if d.Dialect == db.Postgres {
		skip = " FOR UPDATE SKIP LOCKED"
	}
	var cases []due
	err := d.Transact(ctx, func(tx *db.DB) error {
		cases = cases[:0]
		// Cases marked by the release before (migration 00019), still
		// running during a rolling upgrade, join the list: clearing the
		// mark claims the case, there as here.
		marked, err := tx.IDs(ctx, `UPDATE cases SET confirm_pending = NULL
			WHERE confirm_pending AND id IN (SELECT id FROM cases WHERE confirm_pending ORDER BY id LIMIT $1`+skip+`) RETURNING id`, limit)
		if err != nil {
			return err
		}
		if len(marked) > 0 {
			args := make([]any, len(marked))
			for i, id := range marked {
				args[i] = id
			}
			if _, err := tx.Exec(ctx, `INSERT INTO case_confirmations (case_id) VALUES `+db.Values(len(marked), 1), args...); err != nil {
				return err
			}
		}
		ids, err := tx.IDs(ctx, `DELETE FROM case_confirmations
			WHERE case_id IN (SELECT case_id FROM case_confirmations ORDER BY case_id LIMIT $1`+skip+`) RETURNING case_id`, limit)
		if err != nil || len(ids) == 0 {
			return err
		}
		in := make([]string, len(ids))
		idArgs := make([]any, len(ids))
		for i, id := range ids {
			in[i], idArgs[i] = "$"+strconv.Itoa(i+1), id
		}
		rows, err := tx.Query(ctx, `SELECT id, cabinet_id, COALESCE(number, ''), service, due_at FROM cases
			WHERE id IN (`+strings.Join(in, ", ")+`) ORDER BY id`, idArgs...)
		if err != nil {
			return err
		}
		var cabinets []string
		var args []any
		for rows.Next() {
			var c due
			if err := rows.Scan(&c.id, &c.cabinet, &c.number, &c.service, &c.dueAt); err != nil {
				rows.Close()
				return err
			}
			cases = append(cases, c)
			args = append(args, c.cabinet)
			cabinets = append(cabinets, "$"+strconv.Itoa(len(args)))
		}
		if err := rows.Close(); err != nil || len(cases) == 0 {
			return err
		}
		type address struct{ email, lang string }
		to := map[int64]address{}
		rows, err = tx.Query(ctx, `SELECT id, email, lang FROM cabinets WHERE id IN (`+strings.Join(cabinets, ", ")+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var a address
			if err := rows.Scan(&id, &a.email, &a.lang); err != nil {
				rows.Close()
				return err
			}
			to[id] = a
		}
		if err := rows.Close(); err != nil {
			return err
		}
		emails := make([]jobs.Email, 0, len(cases))
		for _, c := range cases {
			a, ok := to[c.cabinet]
			if !ok { // no one to tell: the mark is cleared all the same
				continue
			}
			dueOn := ""
			if c.dueAt != nil {
				dueOn = c.dueAt.Format(time.DateOnly)
			}
			emails = append(emails, jobs.Email{Name: "application_received", Lang: a.lang, To: a.email,
				Data: map[string]any{"Number": c.number, "Service": c.service, "Due": dueOn, "ID": c.id}})
		}
		return q.MailMany(ctx, tx, emails)
	})
	if err != nil {
		return 0, fmt.Errorf("casework.SendConfirmations: %w", err)
	}
	return len(cases), nil
}
