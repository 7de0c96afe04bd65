package permit

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/jobs"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/registry"
	"github.com/emgek/emgek/internal/throttle"
)

// Service runs permit applications.
type Service struct {
	DB        *db.DB
	Passports registry.Passports
	Jobs      *jobs.Queue
	Now       func() time.Time
	// Throttle slows a cabinet that searches far more people than any
	// employer hires: a search shows a name and a birth date, so the
	// registry must not be scraped through it.
	Throttle *throttle.Throttle
}

// SearchPolicy: a thousand searches in a row are free; then each waits,
// from 2 s doubling to 5 min, until the cabinet pauses for an hour.
var SearchPolicy = throttle.Policy{Free: 1000, Base: 2 * time.Second, Max: 5 * time.Minute, Window: time.Hour}

// Eligibility is the answer to a search: the holder as the registry knows
// them, and why an application cannot go on (none: it can).
type Eligibility struct {
	Holder   Holder
	Refusals []Reason
	Notes    []Reason // for the applicant's and the operator's information
	// Allocations are the employer's approved rows for the holder's
	// citizenship with permits left; the form offers them as positions.
	Allocations []quota.Allocation
	CellLeft    int // an entrepreneur: what its ledger cell has left
}

// Eligible reports whether the application may go on.
func (e *Eligibility) Eligible() bool { return len(e.Refusals) == 0 }

// Work is what an entrepreneur checks availability for: its region and
// the occupation (ISCO-08 unit group) of its activity.
type Work struct {
	Region     string
	Occupation string
}

// Search looks a foreign worker up for an employer and checks whether the
// employer may apply for them (S4: country, passport number, Search).
func (s *Service) Search(ctx context.Context, cab *account.Cabinet, country, number string, by audit.Event) (*Eligibility, error) {
	number = registry.NormalizeNumber(number)
	var fe apperr.FieldErrors
	if country == "" {
		fe.Add("country", "form.choose")
	}
	if !registry.ValidNumber(number) {
		fe.Add("number", "permit.number_format")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if err := s.throttle(ctx, cab); err != nil {
		return nil, err
	}
	f, err := s.lookup(ctx, country, number, "permit.search", by)
	if errors.Is(err, registry.ErrNotFound) {
		return nil, apperr.Field("number", "permit.not_in_registry")
	}
	if err != nil {
		return nil, err
	}
	e := &Eligibility{Holder: holderOf(f)}
	if err := s.check(ctx, s.DB, cab, f, e, 0); err != nil {
		return nil, err
	}
	year := quota.ThisYear(s.Now())
	all, err := quota.Allocations(ctx, s.DB, cab.ID, year, f.Citizenship) // this year's and next year's
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if a.Left() > 0 {
			e.Allocations = append(e.Allocations, a)
		}
	}
	if len(e.Allocations) == 0 {
		e.Refusals = append(e.Refusals, Reason{Code: "no_quota", Args: map[string]any{"Country": f.Citizenship, "Year": year}})
	}
	return e, nil
}

// CheckSelf is an entrepreneur's "Check availability": the same checks on
// itself, by the passport in its cabinet, and room in the ledger cell of
// its region and activity.
func (s *Service) CheckSelf(ctx context.Context, cab *account.Cabinet, w Work, occupationKnown func(string) bool, by audit.Event) (*Eligibility, error) {
	var fe apperr.FieldErrors
	if w.Region == "" {
		fe.Add("region", "form.choose")
	}
	if !occupationKnown(w.Occupation) {
		fe.Add("occupation", "quota.unit_group")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if cab.Person == nil {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	f, err := s.lookup(ctx, cab.Person.Citizenship, registry.NormalizeNumber(cab.Person.PassportNo), "permit.check", by)
	if errors.Is(err, registry.ErrNotFound) {
		return &Eligibility{Refusals: []Reason{{Code: "self_not_in_registry"}}}, nil
	}
	if err != nil {
		return nil, err
	}
	e := &Eligibility{Holder: holderOf(f)}
	if err := s.check(ctx, s.DB, cab, f, e, 0); err != nil {
		return nil, err
	}
	year := quota.ThisYear(s.Now())
	if e.CellLeft, err = quota.CellLeft(ctx, s.DB, year, w.Region, w.Occupation[:1]); err != nil {
		return nil, err
	}
	if e.CellLeft == 0 {
		e.Refusals = append(e.Refusals, Reason{Code: "no_cell_room", Args: map[string]any{"Region": w.Region, "Group": w.Occupation[:1], "Year": year}})
	}
	return e, nil
}

// Review looks an application's holder up again for an operator (audited
// like every look-up) and runs the checks as they stand now; the
// application itself does not count against its holder.
func (s *Service) Review(ctx context.Context, a *Application, by audit.Event) (*Eligibility, error) {
	f, err := s.lookup(ctx, a.Holder.Country, a.Holder.Number, "permit.review "+caseObject(a.Case.ID), by)
	if errors.Is(err, registry.ErrNotFound) {
		return &Eligibility{Holder: a.Holder, Refusals: []Reason{{Code: "not_in_registry"}}}, nil
	}
	if err != nil {
		return nil, err
	}
	cab, err := account.ByID(ctx, s.DB, a.Case.CabinetID)
	if err != nil {
		return nil, err
	}
	e := &Eligibility{Holder: holderOf(f)}
	if a.Case.Status == Issued || a.Case.Status == Approved {
		return e, nil // decided: only the data is of interest
	}
	return e, s.check(ctx, s.DB, cab, f, e, a.Case.ID)
}

// check runs the checks that do not depend on who applies; except is an
// application not to count against the person (the one under review).
func (s *Service) check(ctx context.Context, d *db.DB, cab *account.Cabinet, f *registry.Foreigner, e *Eligibility, except int64) error {
	today := Today(s.Now())
	if cab.Status != account.Active {
		e.Refusals = append(e.Refusals, Reason{Code: "cabinet_inactive"})
	}
	if b := f.BannedOn(today); b != nil {
		code := "entry_ban"
		if b.Until == "" {
			code = "entry_ban_indefinite"
		}
		e.Refusals = append(e.Refusals, Reason{Code: code, Args: map[string]any{"Until": b.Until, "Basis": b.Basis}})
	}
	if !lasts(today, f.ExpiresOn, MinMonths) {
		code := "passport_expiring"
		if f.ExpiresOn < today {
			code = "passport_expired"
		}
		e.Refusals = append(e.Refusals, Reason{Code: code, Args: map[string]any{"Date": f.ExpiresOn, "Months": MinMonths}})
	}
	if p := f.PermitOn(today); p != nil {
		e.Refusals = append(e.Refusals, Reason{Code: "permit_valid", Args: map[string]any{"Number": p.Number, "Until": p.ValidUntil}})
	}
	// This portal's own permits and applications for the person.
	var number, until string
	var status string
	err := d.QueryRow(ctx, `SELECT COALESCE(p.permit_number, c.number, ''), p.valid_until, c.status FROM permits p JOIN cases c ON c.id = p.case_id
		WHERE p.doc_country = $1 AND p.doc_number = $2 AND p.case_id <> $3
			AND (p.holding AND (c.status = 'approved' OR p.valid_until >= $4) OR c.status IN ('submitted', 'documents_requested'))
		ORDER BY p.holding DESC LIMIT 1`, f.Country, f.Number, except, today).Scan(&number, &until, &status)
	switch {
	case err == nil && (status == string(Approved) || status == string(Issued)):
		if f.PermitOn(today) == nil {
			e.Refusals = append(e.Refusals, Reason{Code: "permit_valid", Args: map[string]any{"Number": number, "Until": until}})
		}
	case err == nil:
		e.Refusals = append(e.Refusals, Reason{Code: "application_open", Args: map[string]any{"Number": number}})
	case !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("permit.check: %w", err)
	}
	for _, p := range f.Revocations() {
		e.Notes = append(e.Notes, Reason{Code: "revoked_before", Args: map[string]any{"Number": p.Number, "Date": p.RevokedOn, "Reason": p.RevokeReason}})
	}
	return nil
}

// throttle counts a cabinet's search; past the policy's allowance it is
// TooMany, with the seconds to wait.
func (s *Service) throttle(ctx context.Context, cab *account.Cabinet) error {
	if s.Throttle == nil {
		return nil
	}
	wait, err := s.Throttle.Reserve(ctx, "permit_search:"+strconv.FormatInt(cab.ID, 10), SearchPolicy)
	if err != nil || wait == 0 {
		return err
	}
	e := apperr.New(apperr.TooMany, "permit.search_throttled")
	e.Args = map[string]any{"Count": int(wait.Seconds() + 0.999)}
	return e
}

// lookup asks the registry and records who looked up whom and why, found
// or not; the audit row names the look-up by id, never the document.
func (s *Service) lookup(ctx context.Context, country, number, purpose string, by audit.Event) (*registry.Foreigner, error) {
	f, err := s.Passports.Passport(ctx, country, number)
	result := registry.Result(err)
	now := s.Now().UTC()
	if rerr := s.DB.Transact(ctx, func(tx *db.DB) error {
		return audit.Lookup(ctx, tx, now, "passports", country+":"+number, purpose, result, by)
	}); rerr != nil {
		return nil, rerr
	}
	if result == "unavailable" {
		return nil, apperr.Wrap(apperr.Unavailable, "permit.registry_unavailable", err)
	}
	if err != nil {
		return nil, err
	}
	known, err := account.Countries(ctx, s.DB)
	if err != nil {
		return nil, err
	}
	if !known[f.Country] || !known[f.Citizenship] { // an answer the portal cannot file
		return nil, apperr.Wrap(apperr.Unavailable, "permit.registry_unavailable", fmt.Errorf("registry: unknown country code"))
	}
	return f, nil
}

func holderOf(f *registry.Foreigner) Holder {
	return Holder{Country: f.Country, Number: f.Number, Surname: f.Surname, GivenName: f.GivenName, Patronymic: f.Patronymic,
		Sex: f.Sex, BirthDate: f.BirthDate, Citizenship: f.Citizenship, PassportExpires: f.ExpiresOn, Demo: f.Demo}
}
