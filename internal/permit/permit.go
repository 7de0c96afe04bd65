package permit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/quota"
)

// Start creates a draft for a holder found eligible. The look-up and the
// checks run again — nothing the browser sends back is trusted — and the
// registry's data is copied to the draft, so the form never asks for it.
// An employer names the document; an entrepreneur its work.
func (s *Service) Start(ctx context.Context, cab *account.Cabinet, country, number string, w Work, occupationKnown func(string) bool, by audit.Event) (int64, error) {
	var e *Eligibility
	var err error
	applicant := ByEmployer
	switch cab.Kind {
	case account.Employer:
		e, err = s.Search(ctx, cab, country, number, by)
	case account.FIE:
		applicant = ByFIE
		e, err = s.CheckSelf(ctx, cab, w, occupationKnown, by)
	default:
		return 0, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return 0, err
	}
	if !e.Eligible() {
		return 0, apperr.New(apperr.Conflict, "permit.not_eligible")
	}
	h, now := e.Holder, s.Now()
	var id int64
	err = s.DB.Transact(ctx, func(tx *db.DB) error {
		// The cabinet's row is the lock: two clicks at once start one draft.
		if _, err := tx.Exec(ctx, `UPDATE cabinets SET version = version WHERE id = $1`, cab.ID); err != nil {
			return fmt.Errorf("permit.Start: %w", err)
		}
		// A draft for the person (and an entrepreneur's work) already — a
		// second click, a page opened twice: go on with it.
		err := tx.QueryRow(ctx, `SELECT c.id FROM cases c JOIN permits p ON p.case_id = c.id
			WHERE c.cabinet_id = $1 AND c.status = 'draft' AND p.doc_country = $2 AND p.doc_number = $3
				AND ($4 = '' OR p.region = $4 AND p.occupation = $5) LIMIT 1`,
			cab.ID, h.Country, h.Number, w.Region, w.Occupation).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("permit.Start: %w", err)
		}
		c, err := Lifecycle.Create(ctx, tx, cab.ID, now, by)
		if err != nil {
			return err
		}
		id = c.ID
		_, err = tx.Exec(ctx, `INSERT INTO permits (case_id, applicant, doc_country, doc_number, surname, given_name, patronymic, sex,
			birth_date, citizenship, passport_expires, demo, year, region, occupation)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			c.ID, applicant, h.Country, h.Number, h.Surname, h.GivenName, h.Patronymic, h.Sex, h.BirthDate, h.Citizenship,
			h.PassportExpires, h.Demo, quota.ThisYear(now), w.Region, w.Occupation)
		if err != nil {
			return fmt.Errorf("permit.Start: %w", err)
		}
		return nil
	})
	return id, err
}

// Details are what the applicant fills in: the work and its terms.
type Details struct {
	QuotaRowID int64 // an employer's position: one of its allocations
	Workplace  string
	Salary     int // som a month
	PeriodFrom string
	PeriodTo   string
}

// Save records the form of a draft (or of an application the ministry
// asked more of), validated field by field.
func (s *Service) Save(ctx context.Context, cabinetID, caseID int64, d Details, by audit.Event) error {
	now := s.Now()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		// Lock the case while it may be changed: not under a resubmission.
		res, err := tx.Exec(ctx, `UPDATE cases SET updated_at = updated_at WHERE id = $1 AND cabinet_id = $2
			AND status IN ('draft', 'documents_requested')`, caseID, cabinetID)
		if err != nil {
			return fmt.Errorf("permit.Save: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			if _, err := Lifecycle.OfCabinet(ctx, tx, cabinetID, caseID); err != nil {
				return err
			}
			return apperr.New(apperr.Conflict, "case.already_changed")
		}
		a, err := s.ByCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		region, occupation, year := a.Region, a.Occupation, a.Year
		var fe apperr.FieldErrors
		if a.Applicant == ByEmployer {
			rows, err := quota.Allocations(ctx, tx, cabinetID, quota.ThisYear(now), a.Holder.Citizenship)
			if err != nil {
				return err
			}
			found := false
			for _, r := range rows {
				if r.RowID == d.QuotaRowID && (r.Left() > 0 || r.RowID == a.QuotaRowID) {
					found, region, occupation, year = true, r.Region, r.Occupation, r.Year
				}
			}
			if !found {
				fe.Add("quota_row", "permit.choose_allocation")
			}
		}
		d.Workplace = strings.TrimSpace(d.Workplace)
		if len([]rune(d.Workplace)) < 5 {
			fe.Add("workplace", "permit.workplace_required")
		}
		if d.Salary < 1 || d.Salary > 100_000_000 {
			fe.Add("salary", "permit.salary_range")
		}
		checkPeriod(&fe, d.PeriodFrom, d.PeriodTo, Today(now), a.Holder.PassportExpires)
		if !fe.Has("period_from") && !fe.Has("quota_row") && !strings.HasPrefix(d.PeriodFrom, strconv.Itoa(year)+"-") {
			// The quota is a year's: the permit starts in the year it draws on.
			fe.Add("period_from", "permit.period_year", map[string]any{"Year": year})
		}
		if err := fe.Err(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE permits SET quota_row_id = $1, region = $2, occupation = $3, workplace = $4, salary = $5,
			period_from = $6, period_to = $7, year = $8 WHERE case_id = $9`,
			sql.NullInt64{Int64: d.QuotaRowID, Valid: a.Applicant == ByEmployer}, region, occupation, d.Workplace, d.Salary,
			d.PeriodFrom, d.PeriodTo, year, caseID)
		if err != nil {
			return fmt.Errorf("permit.Save: %w", err)
		}
		by.Action, by.Object, by.Detail = "permit.save", caseObject(caseID), ""
		return audit.Record(ctx, tx, now, by)
	})
}

// checkPeriod: from today on, between MinMonths and MaxMonths long, and
// ending before the passport does.
func checkPeriod(fe *apperr.FieldErrors, from, to, today, passportExpires string) {
	if _, err := time.Parse(time.DateOnly, from); err != nil {
		fe.Add("period_from", "form.date_invalid")
	} else if from < today {
		fe.Add("period_from", "permit.period_past")
	}
	if _, err := time.Parse(time.DateOnly, to); err != nil {
		fe.Add("period_to", "form.date_invalid")
	}
	if fe.Has("period_from") || fe.Has("period_to") {
		return
	}
	switch {
	case !lasts(from, to, MinMonths):
		fe.Add("period_to", "permit.period_short", map[string]any{"Months": MinMonths})
	case !within(from, to, MaxMonths):
		fe.Add("period_to", "permit.period_long", map[string]any{"Months": MaxMonths})
	case to > passportExpires:
		fe.Add("period_to", "permit.period_past_passport", map[string]any{"Date": passportExpires})
	}
}

// Submit sends a cabinet's draft (or resubmits after documents were
// asked): the form complete, the contract attached, and no other
// application for the person under way.
func (s *Service) Submit(ctx context.Context, cabinetID, caseID int64, by audit.Event) error {
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		a, err := s.ByCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if a.Case.CabinetID != cabinetID {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		var fe apperr.FieldErrors
		if a.Workplace == "" {
			fe.Add("form", "permit.form_incomplete")
		}
		var docs int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM documents WHERE case_id = $1`, caseID).Scan(&docs); err != nil {
			return fmt.Errorf("permit.Submit: %w", err)
		}
		if docs == 0 {
			fe.Add("file", "permit.contract_required")
		}
		if err := fe.Err(); err != nil {
			return err
		}
		var other string
		err = tx.QueryRow(ctx, `SELECT c.number FROM permits p JOIN cases c ON c.id = p.case_id
			WHERE p.doc_country = $1 AND p.doc_number = $2 AND p.case_id <> $3
				AND (p.holding OR c.status IN ('submitted', 'documents_requested')) LIMIT 1`,
			a.Holder.Country, a.Holder.Number, caseID).Scan(&other)
		if err == nil {
			e := apperr.New(apperr.Conflict, "permit.refusal.application_open")
			e.Args = map[string]any{"Number": other}
			return e
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("permit.Submit: %w", err)
		}
		return Lifecycle.Submit(ctx, tx, a.Case, s.Now(), by)
	})
}

// Withdraw ends an application its applicant no longer wants, before the
// decision.
func (s *Service) Withdraw(ctx context.Context, cabinetID, caseID int64, by audit.Event) error {
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		c, err := Lifecycle.OfCabinet(ctx, tx, cabinetID, caseID)
		if err != nil {
			return err
		}
		return Lifecycle.Withdraw(ctx, tx, c, s.Now(), by)
	})
}

const columns = `p.applicant, p.doc_country, p.doc_number, p.surname, p.given_name, p.patronymic, p.sex, p.birth_date,
	p.citizenship, p.passport_expires, p.demo, p.year, p.region, p.occupation, COALESCE(p.quota_row_id, 0), p.workplace,
	p.salary, p.period_from, p.period_to, p.reject_reason, p.reject_note, COALESCE(p.permit_number, ''), p.valid_from,
	p.valid_until, p.issued_at, p.revoked_at, p.revoke_reason, p.revoke_note`

func scan(row interface{ Scan(...any) error }) (*Application, error) {
	var a Application
	var issued, revoked sql.NullTime
	h := &a.Holder
	c, err := casework.Scan(row, &a.Applicant, &h.Country, &h.Number, &h.Surname, &h.GivenName, &h.Patronymic, &h.Sex, &h.BirthDate,
		&h.Citizenship, &h.PassportExpires, &h.Demo, &a.Year, &a.Region, &a.Occupation, &a.QuotaRowID, &a.Workplace,
		&a.Salary, &a.PeriodFrom, &a.PeriodTo, &a.RejectReason, &a.RejectNote, &a.PermitNumber, &a.ValidFrom,
		&a.ValidUntil, &issued, &revoked, &a.RevokeReason, &a.RevokeNote)
	if err != nil {
		return nil, err
	}
	a.Case = c
	if issued.Valid {
		a.IssuedAt = &issued.Time
	}
	if revoked.Valid {
		a.RevokedAt = &revoked.Time
	}
	return &a, nil
}

// ByCase loads an application.
func (s *Service) ByCase(ctx context.Context, d *db.DB, caseID int64) (*Application, error) {
	a, err := scan(d.QueryRow(ctx, `SELECT `+casework.Columns+`, `+columns+` FROM cases c JOIN permits p ON p.case_id = c.id WHERE c.id = $1`, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("permit.ByCase %d: %w", caseID, err)
	}
	return a, nil
}

// OfCabinet loads one of a cabinet's own applications; another's is
// NotFound.
func (s *Service) OfCabinet(ctx context.Context, cabinetID, caseID int64) (*Application, error) {
	a, err := s.ByCase(ctx, s.DB, caseID)
	if err == nil && a.Case.CabinetID != cabinetID {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	return a, err
}

// ByCabinet lists a cabinet's applications, newest first (the archive).
func (s *Service) ByCabinet(ctx context.Context, cabinetID int64) ([]*Application, error) {
	return s.list(ctx, `WHERE c.cabinet_id = $1 ORDER BY c.id DESC LIMIT 200`, cabinetID)
}

func (s *Service) list(ctx context.Context, where string, args ...any) ([]*Application, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+casework.Columns+`, `+columns+` FROM cases c JOIN permits p ON p.case_id = c.id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("permit: list: %w", err)
	}
	defer rows.Close()
	var out []*Application
	for rows.Next() {
		a, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("permit: list: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func caseObject(id int64) string { return fmt.Sprintf("case:%d", id) }
