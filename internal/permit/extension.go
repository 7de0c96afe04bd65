package permit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/db"
)

// Extension is a request to move an issued permit's end date.
type Extension struct {
	Case         *casework.Case
	PermitCaseID int64
	CurrentUntil string
	NewUntil     string
	Reason       string
	RejectReason string
}

// Window is the extension window of a permit: the first and the last day
// an extension may be asked for.
func Window(validUntil string) (opens, closes string) {
	return addDays(validUntil, -WindowOpensDays), addDays(validUntil, -WindowClosesDays)
}

// CanExtend reports whether an extension may be asked for on day.
func (a *Application) CanExtend(day string) bool {
	opens, closes := Window(a.ValidUntil)
	return a.Case.Status == Issued && a.State(day) == "valid" && day >= opens && day <= closes
}

// RequestExtension asks for a permit to end later: within the window, by
// at most MaxMonths more, and not past the passport; one request at a
// time.
func (s *Service) RequestExtension(ctx context.Context, cabinetID, permitCaseID int64, newUntil, reason string, by audit.Event) (int64, error) {
	now := s.Now()
	today := Today(now)
	var id int64
	err := s.DB.Transact(ctx, func(tx *db.DB) error {
		// The permit's row is the lock: one request at a time, however
		// many clicks arrive together.
		if _, err := tx.Exec(ctx, `UPDATE permits SET holding = holding WHERE case_id = $1`, permitCaseID); err != nil {
			return fmt.Errorf("permit.RequestExtension: %w", err)
		}
		a, err := s.ByCase(ctx, tx, permitCaseID)
		if err != nil {
			return err
		}
		if a.Case.CabinetID != cabinetID {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if !a.CanExtend(today) {
			opens, closes := Window(a.ValidUntil)
			e := apperr.New(apperr.Conflict, "permit.extension_window")
			e.Args = map[string]any{"Opens": opens, "Closes": closes}
			return e
		}
		var fe apperr.FieldErrors
		switch _, err := time.Parse(time.DateOnly, newUntil); {
		case err != nil:
			fe.Add("new_until", "form.date_invalid")
		case newUntil <= a.ValidUntil:
			fe.Add("new_until", "permit.extension_not_later", map[string]any{"Date": a.ValidUntil})
		case !within(addDays(a.ValidUntil, 1), newUntil, MaxMonths):
			fe.Add("new_until", "permit.period_long", map[string]any{"Months": MaxMonths})
		case newUntil > a.Holder.PassportExpires:
			fe.Add("new_until", "permit.period_past_passport", map[string]any{"Date": a.Holder.PassportExpires})
		}
		if err := fe.Err(); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM permit_extensions x JOIN cases c ON c.id = x.case_id
			WHERE x.permit_case_id = $1 AND c.status IN ('submitted', 'documents_requested')`, permitCaseID).Scan(&open); err != nil {
			return fmt.Errorf("permit.RequestExtension: %w", err)
		}
		if open > 0 {
			return apperr.New(apperr.Conflict, "permit.extension_pending")
		}
		c, err := ExtensionLifecycle.Create(ctx, tx, cabinetID, now, by)
		if err != nil {
			return err
		}
		id = c.ID
		if _, err := tx.Exec(ctx, `INSERT INTO permit_extensions (case_id, permit_case_id, current_until, new_until, reason) VALUES ($1, $2, $3, $4, $5)`,
			c.ID, permitCaseID, a.ValidUntil, newUntil, strings.TrimSpace(reason)); err != nil {
			return fmt.Errorf("permit.RequestExtension: %w", err)
		}
		return ExtensionLifecycle.Submit(ctx, tx, c, now, by)
	})
	return id, err
}

const extensionColumns = `x.permit_case_id, x.current_until, x.new_until, x.reason, x.reject_reason`

func scanExtension(row interface{ Scan(...any) error }) (*Extension, error) {
	var x Extension
	c, err := casework.Scan(row, &x.PermitCaseID, &x.CurrentUntil, &x.NewUntil, &x.Reason, &x.RejectReason)
	if err != nil {
		return nil, err
	}
	x.Case = c
	return &x, nil
}

// ExtensionByCase loads an extension request.
func (s *Service) ExtensionByCase(ctx context.Context, d *db.DB, caseID int64) (*Extension, error) {
	x, err := scanExtension(d.QueryRow(ctx, `SELECT `+casework.Columns+`, `+extensionColumns+`
		FROM cases c JOIN permit_extensions x ON x.case_id = c.id WHERE c.id = $1`, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("permit.ExtensionByCase %d: %w", caseID, err)
	}
	return x, nil
}

// Extensions lists a permit's extension requests (permitCaseID), or the
// ones waiting for the ministry (0), oldest first.
func (s *Service) Extensions(ctx context.Context, permitCaseID int64) ([]*Extension, error) {
	where := `x.permit_case_id = $1`
	args := []any{permitCaseID}
	if permitCaseID == 0 {
		where, args = `c.status = 'submitted'`, nil
	}
	rows, err := s.DB.Query(ctx, `SELECT `+casework.Columns+`, `+extensionColumns+`
		FROM cases c JOIN permit_extensions x ON x.case_id = c.id WHERE `+where+` ORDER BY c.due_at, c.id LIMIT 100`, args...)
	if err != nil {
		return nil, fmt.Errorf("permit.Extensions: %w", err)
	}
	defer rows.Close()
	var out []*Extension
	for rows.Next() {
		x, err := scanExtension(rows)
		if err != nil {
			return nil, fmt.Errorf("permit.Extensions: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// DecideExtension grants an extension — the permit's end date moves in
// the same transaction — or refuses it with a reason.
func (s *Service) DecideExtension(ctx context.Context, caseID int64, grant bool, reason string, by audit.Event) error {
	reason = strings.TrimSpace(reason)
	if !grant && reason == "" {
		return apperr.Field("extension_reason", "permit.note_required")
	}
	now := s.Now()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		x, err := s.ExtensionByCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		to := Rejected
		if grant {
			to = Approved
		}
		if err := ExtensionLifecycle.Decide(ctx, tx, x.Case, to, now, by); err != nil {
			return err
		}
		if grant {
			res, err := tx.Exec(ctx, `UPDATE permits SET valid_until = $1, window_open_sent_at = NULL, window_closing_sent_at = NULL
				WHERE case_id = $2 AND valid_until = $3 AND holding`, x.NewUntil, x.PermitCaseID, x.CurrentUntil)
			if err != nil {
				return fmt.Errorf("permit.DecideExtension: %w", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return apperr.New(apperr.Conflict, "case.already_changed") // revoked or extended meanwhile
			}
		} else if _, err := tx.Exec(ctx, `UPDATE permit_extensions SET reject_reason = $1 WHERE case_id = $2`, reason, caseID); err != nil {
			return fmt.Errorf("permit.DecideExtension: %w", err)
		}
		a, err := s.ByCase(ctx, tx, x.PermitCaseID)
		if err != nil {
			return err
		}
		c, err := account.ByID(ctx, tx, a.Case.CabinetID)
		if err != nil || s.Jobs == nil {
			return err
		}
		return s.Jobs.Mail(ctx, tx, "permit_extension_decided", c.Lang, c.Email, map[string]any{
			"ID": a.Case.ID, "Permit": a.PermitNumber, "Granted": grant, "Until": a.ValidUntil, "Reason": reason}, nil)
	})
}

// Sweep is the daily housekeeping of permits: those past their end date
// expire, and the cabinets are reminded when the extension window opens
// and 7 days before it closes — each email once, however often the sweep
// runs or however long it did not.
func (s *Service) Sweep(ctx context.Context) error {
	now := s.Now()
	today := Today(now)
	ids, err := s.DB.IDs(ctx, `SELECT p.case_id FROM permits p JOIN cases c ON c.id = p.case_id
		WHERE p.holding AND (c.status = 'issued' AND p.valid_until < $1 OR c.status = 'approved' AND p.period_to < $1)
		ORDER BY p.case_id LIMIT 1000`, today)
	if err != nil {
		return fmt.Errorf("permit.Sweep: %w", err)
	}
	sys := audit.Event{Actor: "system", Detail: "permit expired"}
	for _, id := range ids {
		err := s.DB.Transact(ctx, func(tx *db.DB) error {
			// Under the permit's lock, and looked at again: an extension
			// granted since the list was read keeps it in force.
			if _, err := tx.Exec(ctx, `UPDATE permits SET holding = holding WHERE case_id = $1`, id); err != nil {
				return err
			}
			a, err := s.ByCase(ctx, tx, id)
			if err != nil {
				return err
			}
			end := a.ValidUntil
			if a.Case.Status == Approved {
				end = a.PeriodTo
			}
			if end >= today {
				return nil
			}
			if err := Lifecycle.Move(ctx, tx, a.Case, Expired, now, sys, "expire"); err != nil {
				return err
			}
			if _, err = tx.Exec(ctx, `UPDATE permits SET holding = FALSE WHERE case_id = $1`, id); err != nil {
				return err
			}
			return closeExtensions(ctx, tx, id, now, sys)
		})
		if err != nil && apperr.KindOf(err) != apperr.Conflict {
			return fmt.Errorf("permit.Sweep expire %d: %w", id, err)
		}
	}
	if err := s.remind(ctx, "window_open_sent_at", "permit_extension_open", addDays(today, WindowClosesDays), addDays(today, WindowOpensDays)); err != nil {
		return err
	}
	return s.remind(ctx, "window_closing_sent_at", "permit_extension_closing", addDays(today, WindowClosesDays),
		addDays(today, WindowClosesDays+ReminderDays))
}

// closeExtensions withdraws the extension requests still waiting on a
// permit that has ended (revoked or expired): there is nothing to extend.
func closeExtensions(ctx context.Context, tx *db.DB, permitCaseID int64, now time.Time, by audit.Event) error {
	ids, err := tx.IDs(ctx, `SELECT x.case_id FROM permit_extensions x JOIN cases c ON c.id = x.case_id
		WHERE x.permit_case_id = $1 AND c.status IN ('submitted', 'documents_requested')`, permitCaseID)
	if err != nil {
		return fmt.Errorf("permit: open extensions: %w", err)
	}
	by.Detail = "permit ended"
	for _, id := range ids {
		c, err := ExtensionLifecycle.ByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := ExtensionLifecycle.Withdraw(ctx, tx, c, now, by); err != nil {
			return err
		}
	}
	return nil
}

// remind emails, once (column), the cabinets of issued permits ending
// between from and to that have no extension under way.
func (s *Service) remind(ctx context.Context, column, template, from, to string) error {
	if s.Jobs == nil {
		return nil
	}
	ids, err := s.DB.IDs(ctx, `SELECT p.case_id FROM permits p JOIN cases c ON c.id = p.case_id
		WHERE p.holding AND c.status = 'issued' AND p.`+column+` IS NULL AND p.valid_until BETWEEN $1 AND $2
			AND NOT EXISTS (SELECT 1 FROM permit_extensions x JOIN cases xc ON xc.id = x.case_id
				WHERE x.permit_case_id = p.case_id AND xc.status IN ('submitted', 'documents_requested'))
		ORDER BY p.case_id LIMIT 1000`, from, to)
	if err != nil {
		return fmt.Errorf("permit.remind: %w", err)
	}
	now := s.Now().UTC()
	for _, id := range ids {
		err := s.DB.Transact(ctx, func(tx *db.DB) error {
			res, err := tx.Exec(ctx, `UPDATE permits SET `+column+` = $1 WHERE case_id = $2 AND `+column+` IS NULL`, now, id)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return nil // another instance sent it
			}
			a, err := s.ByCase(ctx, tx, id)
			if err != nil {
				return err
			}
			c, err := account.ByID(ctx, tx, a.Case.CabinetID)
			if err != nil {
				return err
			}
			_, closes := Window(a.ValidUntil)
			return s.Jobs.Mail(ctx, tx, template, c.Lang, c.Email, map[string]any{
				"ID": id, "Permit": a.PermitNumber, "Until": a.ValidUntil, "Closes": closes}, nil)
		})
		if err != nil {
			return fmt.Errorf("permit.remind %d: %w", id, err)
		}
	}
	return nil
}
