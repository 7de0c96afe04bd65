package permit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/quota"
)

// QueueFilter narrows the operators' queue.
type QueueFilter struct {
	Status    casework.Status // one of the waiting statuses; all of them when empty
	Region    string
	Applicant Applicant
	Overdue   bool      // only those past their due date
	OlderThan time.Time // only those submitted before
}

// Waiting are the statuses in which an application waits for the
// ministry: to be decided, for the applicant's documents, to be issued.
var Waiting = []casework.Status{casework.Submitted, casework.DocumentsRequested, Approved}

// Queue lists the applications waiting for the ministry, the earliest due
// first, at most 100.
func (s *Service) Queue(ctx context.Context, f QueueFilter) ([]*Application, error) {
	where := []string{"c.service = 'permit'"}
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if slices.Contains(Waiting, f.Status) {
		add("c.status = $%d", f.Status)
	} else {
		where = append(where, "c.status IN ('submitted', 'documents_requested', 'approved')")
	}
	if f.Region != "" {
		add("p.region = $%d", f.Region)
	}
	if f.Applicant != "" {
		add("p.applicant = $%d", f.Applicant)
	}
	if f.Overdue {
		add("c.due_at < $%d", s.Now().UTC())
	}
	if !f.OlderThan.IsZero() {
		add("c.submitted_at < $%d", f.OlderThan.UTC())
	}
	return s.list(ctx, `WHERE `+strings.Join(where, " AND ")+` ORDER BY c.due_at, c.id LIMIT 100`, args...)
}

// RequestDocuments asks the applicant for more, with a message sent in
// the same transaction by send.
func (s *Service) RequestDocuments(ctx context.Context, caseID int64, by audit.Event, send func(tx *db.DB, c *casework.Case) error) error {
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		c, err := Lifecycle.ByID(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if err := Lifecycle.RequestDocuments(ctx, tx, c, s.Now(), by); err != nil {
			return err
		}
		return send(tx, c)
	})
}

// Approve decides for the application: it takes one unit of quota (the
// employer's row, or the entrepreneur's ledger cell) and marks the holder
// as holding a permit, all in one transaction; when the quota is used up
// or the person holds a permit already, nothing changes and the operator
// is told why.
func (s *Service) Approve(ctx context.Context, caseID int64, by audit.Event) error {
	now := s.Now()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		a, err := s.ByCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		// The status first: of two operators approving one case, the
		// second waits here and is told the case changed.
		if err := Lifecycle.Decide(ctx, tx, a.Case, Approved, now, by); err != nil {
			return err
		}
		if a.Applicant == ByEmployer {
			err = quota.TakeFromRow(ctx, tx, a.QuotaRowID, caseID, now)
		} else {
			err = quota.TakeFromCell(ctx, tx, a.Year, a.Region, a.Occupation[:1], caseID, now)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE permits SET holding = TRUE WHERE case_id = $1`, caseID); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "permit.holder_has_permit")
			}
			return fmt.Errorf("permit.Approve: %w", err)
		}
		return s.notify(ctx, tx, a, "")
	})
}

// Reject decides against the application with a reason code (its legal
// basis is in the catalogs) and, for "other", a note.
func (s *Service) Reject(ctx context.Context, caseID int64, reason, note string, by audit.Event) error {
	note = strings.TrimSpace(note)
	if err := checkReason(RejectReasons, reason, note, "reason", "note"); err != nil {
		return err
	}
	now := s.Now()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		a, err := s.ByCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		by.Detail = "permit rejected " + reason
		if err := Lifecycle.Decide(ctx, tx, a.Case, Rejected, now, by); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE permits SET reject_reason = $1, reject_note = $2 WHERE case_id = $3`, reason, note, caseID); err != nil {
			return fmt.Errorf("permit.Reject: %w", err)
		}
		return s.notify(ctx, tx, a, reason)
	})
}

// Issue gives an approved application its permit: a number, and validity
// from the requested start (today at the earliest) to the requested end.
func (s *Service) Issue(ctx context.Context, caseID int64, by audit.Event) error {
	now := s.Now()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		a, err := s.ByCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		by.Detail = "permit issued"
		if err := Lifecycle.Move(ctx, tx, a.Case, Issued, now, by, "issue"); err != nil {
			return err
		}
		from := max(a.PeriodFrom, Today(now))
		if a.PeriodTo < from {
			return apperr.New(apperr.Conflict, "permit.period_over")
		}
		number, err := casework.NextNumber(ctx, tx, "permit_number", "WP", Lifecycle.Jurisdiction, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE permits SET permit_number = $1, valid_from = $2, valid_until = $3, issued_at = $4 WHERE case_id = $5`,
			number, from, a.PeriodTo, now.UTC(), caseID); err != nil {
			return fmt.Errorf("permit.Issue: %w", err)
		}
		return s.notify(ctx, tx, a, "")
	})
}

// Revoke ends an approved or issued permit at once, with a reason code
// and a note; the person may then get another.
func (s *Service) Revoke(ctx context.Context, caseID int64, reason, note string, by audit.Event) error {
	note = strings.TrimSpace(note)
	if err := checkReason(RevokeReasons, reason, note, "revoke_reason", "revoke_note"); err != nil {
		return err
	}
	now := s.Now()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		a, err := s.ByCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		by.Detail = "permit revoked " + reason
		if err := Lifecycle.Move(ctx, tx, a.Case, Revoked, now, by, "revoke"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE permits SET revoked_at = $1, revoke_reason = $2, revoke_note = $3, holding = FALSE WHERE case_id = $4`,
			now.UTC(), reason, note, caseID); err != nil {
			return fmt.Errorf("permit.Revoke: %w", err)
		}
		if err := closeExtensions(ctx, tx, caseID, now, by); err != nil {
			return err
		}
		return s.notify(ctx, tx, a, reason)
	})
}

// checkReason: the reason one of the codes, and a note with "other"; the
// problems at the form's fields.
func checkReason(codes []string, reason, note, reasonField, noteField string) error {
	var fe apperr.FieldErrors
	if !slices.Contains(codes, reason) {
		fe.Add(reasonField, "form.choose")
	}
	if reason == "other" && note == "" {
		fe.Add(noteField, "permit.note_required")
	}
	return fe.Err()
}

// notify emails the cabinet that its application moved (to a.Case.Status).
func (s *Service) notify(ctx context.Context, tx *db.DB, a *Application, reason string) error {
	if s.Jobs == nil {
		return nil
	}
	c, err := account.ByID(ctx, tx, a.Case.CabinetID)
	if err != nil {
		return err
	}
	data := map[string]any{"ID": a.Case.ID, "Number": a.Case.Number, "Status": string(a.Case.Status)}
	if reason != "" { // the reason's translation id
		kind := "reject."
		if a.Case.Status == Revoked {
			kind = "revoke."
		}
		data["ReasonKey"] = "permit." + kind + reason
	}
	return s.Jobs.Mail(ctx, tx, "permit_status", c.Lang, c.Email, data, nil)
}
