package casework

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/jobs"
)

// Confirm queues, in tx, the email that tells the applicant its
// application arrived: its number and the date the answer is due. A nil
// queue sends nothing.
func Confirm(ctx context.Context, tx *db.DB, q *jobs.Queue, c *Case) error {
	if q == nil {
		return nil
	}
	var email, lang string
	err := tx.QueryRow(ctx, `SELECT email, lang FROM cabinets WHERE id = $1`, c.CabinetID).Scan(&email, &lang)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("casework.Confirm: %w", err)
	}
	due := ""
	if c.DueAt != nil {
		due = c.DueAt.Format("2006-01-02")
	}
	return q.Mail(ctx, tx, "application_received", lang, email, map[string]any{
		"Number": c.Number, "Service": c.Service, "Due": due, "ID": c.ID}, nil)
}
