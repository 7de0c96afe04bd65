// Package casework holds what every application's lifecycle shares
// (ARCHITECTURE.md): a case with a human-readable number, submission with
// a due date in working days, requests for documents and resubmission,
// the decision, withdrawal, and assignment to an operator. A service
// (quota, permit, …) describes its lifecycle — its prefix, its term and
// the transitions it allows — and adds its own states, checks and
// printouts on top, never copying these.
//
//	draft ──submit──> submitted ──request documents──> documents_requested
//	  │                  │   ^─────────resubmit──────────────┘
//	  │                  └──decide──> decided (or a service's own outcome)
//	  └──withdraw (any state before the decision) ──> withdrawn
//
// Every transition is UPDATE … WHERE id = $1 AND status = old, in the
// caller's transaction with its audit row: when someone else moved the
// case first, nothing changes and the caller is told so.
package casework

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
)

// Status is where a case is.
type Status string

// The shared statuses; a service may decide into its own (approved …).
const (
	Draft              Status = "draft"
	Submitted          Status = "submitted"
	DocumentsRequested Status = "documents_requested"
	Decided            Status = "decided"
	Withdrawn          Status = "withdrawn"
)

// Lifecycle describes one service's cases.
type Lifecycle struct {
	Service      string   // "quota"
	Prefix       string   // "Q": numbers read Q-2026-000123
	Jurisdiction string   // "KG": whose holidays the term skips
	TermDays     int      // working days from submission to the due date
	Outcomes     []Status // statuses a decision may reach (Decided when empty)
	// Moves are the service's own transitions after the decision
	// (approved → issued, issued → revoked …): from → allowed targets.
	Moves map[Status][]Status
	// Confirm has a case's first submission wait for the "received"
	// email (SendConfirmations).
	Confirm bool
}

// awaitConfirmation records, in tx, that case id waits for its
// "received" email (SendConfirmations), when the lifecycle sends one.
func (lc *Lifecycle) awaitConfirmation(ctx context.Context, tx *db.DB, id int64) error {
	if !lc.Confirm {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO case_confirmations (case_id) VALUES ($1)`, id); err != nil {
		return fmt.Errorf("casework: confirmation: %w", err)
	}
	return nil
}

// Case is one application.
type Case struct {
	ID          int64
	Number      string // empty until first submitted
	Service     string
	CabinetID   int64
	Status      Status
	AssigneeID  int64
	CreatedAt   time.Time
	SubmittedAt *time.Time
	DueAt       *time.Time
	DecidedAt   *time.Time
	Version     int
}

// Open reports whether the case is still before its decision.
func (c *Case) Open() bool {
	return c.Status == Draft || c.Status == Submitted || c.Status == DocumentsRequested
}

const columns = `id, COALESCE(number, ''), service, cabinet_id, status, COALESCE(assignee_id, 0), created_at,
	submitted_at, due_at, decided_at, version`

// Columns are a case's columns for a query that names cases "c", in the
// order Scan reads them: a service lists its cases with their details in
// one query.
const Columns = `c.id, COALESCE(c.number, ''), c.service, c.cabinet_id, c.status, COALESCE(c.assignee_id, 0), c.created_at,
	c.submitted_at, c.due_at, c.decided_at, c.version`

// Scan reads a case's Columns, then the service's own columns into more.
func Scan(s interface{ Scan(...any) error }, more ...any) (*Case, error) {
	return scan(s, more...)
}

func scan(s interface{ Scan(...any) error }, more ...any) (*Case, error) {
	var c Case
	var sub, due, dec sql.NullTime
	dest := append([]any{&c.ID, &c.Number, &c.Service, &c.CabinetID, &c.Status, &c.AssigneeID, &c.CreatedAt, &sub, &due, &dec, &c.Version}, more...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		n *sql.NullTime
		t **time.Time
	}{{&sub, &c.SubmittedAt}, {&due, &c.DueAt}, {&dec, &c.DecidedAt}} {
		if p.n.Valid {
			t := p.n.Time
			*p.t = &t
		}
	}
	return &c, nil
}

// ByID returns a case of the lifecycle's service, or NotFound.
func (lc *Lifecycle) ByID(ctx context.Context, d *db.DB, id int64) (*Case, error) {
	c, err := scan(d.QueryRow(ctx, `SELECT `+columns+` FROM cases WHERE id = $1 AND service = $2`, id, lc.Service))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("casework.ByID: %w", err)
	}
	return c, nil
}

// OfCabinet returns a case only when it belongs to the cabinet — the
// ownership check every cabinet route goes through; otherwise NotFound.
func (lc *Lifecycle) OfCabinet(ctx context.Context, d *db.DB, cabinetID, id int64) (*Case, error) {
	c, err := lc.ByID(ctx, d, id)
	if err == nil && c.CabinetID != cabinetID {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	return c, err
}

// Create starts a draft case for a cabinet in tx.
func (lc *Lifecycle) Create(ctx context.Context, tx *db.DB, cabinetID int64, now time.Time, by audit.Event) (*Case, error) {
	c := &Case{Service: lc.Service, CabinetID: cabinetID, Status: Draft, CreatedAt: now.UTC(), Version: 1}
	err := tx.WriteRow(ctx, `INSERT INTO cases (service, cabinet_id, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id`,
		lc.Service, cabinetID, Draft, c.CreatedAt).Scan(&c.ID)
	if err != nil {
		return nil, fmt.Errorf("casework.Create: %w", err)
	}
	return c, lc.record(ctx, tx, now, by, "create", c)
}

// Reservation is what a case sent in one step (CreateSubmitted) takes
// before its transaction: its due date, and on PostgreSQL its id and
// number, so that its statements need nothing back from each other and can
// go in one db.Pipeline.
type Reservation struct {
	ID     int64  // 0 on SQLite: the insert returns it
	Number string // "" on SQLite: taken in the transaction
	Due    time.Time
}

// Reserve takes what CreateSubmitted needs before the transaction. On
// PostgreSQL the id and the number come in one statement of their own: the
// number's counter row (one per service and year) is then held for that
// statement alone — taken inside the transaction, it was held to the commit
// and every submission of the service waited for the one before it. A
// number whose submission then fails, or turns out to be a double click,
// is skipped. On SQLite, whose one writer takes submissions one at a time
// anyway, CreateSubmitted takes the number in its transaction, and numbers
// have no gaps.
func (lc *Lifecycle) Reserve(ctx context.Context, d *db.DB, now time.Time) (Reservation, error) {
	due, err := DueDate(ctx, d, lc.Jurisdiction, now, lc.TermDays)
	if err != nil || d.Dialect != db.Postgres {
		return Reservation{Due: due}, err
	}
	year := numberYear(lc.Jurisdiction, now)
	var n int64
	r := Reservation{Due: due}
	err = d.WriteRow(ctx, `WITH n AS (`+counterUpsert+` RETURNING last)
		SELECT nextval('cases_id_seq'), last FROM n`, lc.Service, year).Scan(&r.ID, &n)
	if err != nil {
		return Reservation{}, fmt.Errorf("casework.Reserve: %w", err)
	}
	r.Number = formatNumber(lc.Prefix, year, n)
	return r, nil
}

// CreateSubmitted starts a case already sent, in tx: the one-step Send of
// a form, with its number and due date, in fewer statements than Create
// followed by Submit. r is what Reserve took; with its id (PostgreSQL)
// the case is only written, so tx may be a db.Pipeline.
func (lc *Lifecycle) CreateSubmitted(ctx context.Context, tx *db.DB, cabinetID int64, now time.Time, r Reservation, by audit.Event) (*Case, error) {
	if r.Due.IsZero() {
		return nil, errors.New("casework.CreateSubmitted: no reservation (Reserve first)")
	}
	t := now.UTC()
	c := &Case{ID: r.ID, Number: r.Number, Service: lc.Service, CabinetID: cabinetID, Status: Submitted, CreatedAt: t, SubmittedAt: &t, DueAt: &r.Due, Version: 1}
	var err error
	if c.Number == "" {
		if c.Number, err = lc.nextNumber(ctx, tx, now); err != nil {
			return nil, err
		}
	}
	if c.ID != 0 {
		_, err = tx.Exec(ctx, `INSERT INTO cases (id, number, service, cabinet_id, status, created_at, submitted_at, due_at, updated_at)
			OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $6)`, c.ID, c.Number, lc.Service, cabinetID, Submitted, t, r.Due)
	} else {
		err = tx.WriteRow(ctx, `INSERT INTO cases (number, service, cabinet_id, status, created_at, submitted_at, due_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5, $6, $5) RETURNING id`, c.Number, lc.Service, cabinetID, Submitted, t, r.Due).Scan(&c.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("casework.CreateSubmitted: %w", err)
	}
	if err := lc.awaitConfirmation(ctx, tx, c.ID); err != nil {
		return nil, err
	}
	return c, lc.record(ctx, tx, now, by, "submit", c)
}

// Submit sends a draft, or resubmits after documents were requested. The
// first submission gives the case its number and due date.
func (lc *Lifecycle) Submit(ctx context.Context, tx *db.DB, c *Case, now time.Time, by audit.Event) error {
	if c.Status != Draft && c.Status != DocumentsRequested {
		return apperr.New(apperr.Conflict, "case.not_submittable")
	}
	if c.Number == "" {
		number, err := lc.nextNumber(ctx, tx, now)
		if err != nil {
			return err
		}
		due, err := DueDate(ctx, tx, lc.Jurisdiction, now, lc.TermDays)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cases SET number = $1, submitted_at = $2, due_at = $3 WHERE id = $4`,
			number, now.UTC(), due, c.ID); err != nil {
			return fmt.Errorf("casework.Submit: %w", err)
		}
		if err := lc.awaitConfirmation(ctx, tx, c.ID); err != nil {
			return err
		}
		c.Number, c.DueAt = number, &due
		t := now.UTC()
		c.SubmittedAt = &t
	}
	return lc.move(ctx, tx, c, Submitted, now, by, "submit")
}

// RequestDocuments asks the applicant for more; the case waits for them.
func (lc *Lifecycle) RequestDocuments(ctx context.Context, tx *db.DB, c *Case, now time.Time, by audit.Event) error {
	if c.Status != Submitted {
		return apperr.New(apperr.Conflict, "case.already_changed")
	}
	return lc.move(ctx, tx, c, DocumentsRequested, now, by, "request_documents")
}

// Decide records the decision: to must be one of the lifecycle's outcomes.
func (lc *Lifecycle) Decide(ctx context.Context, tx *db.DB, c *Case, to Status, now time.Time, by audit.Event) error {
	outcomes := lc.Outcomes
	if len(outcomes) == 0 {
		outcomes = []Status{Decided}
	}
	if !slices.Contains(outcomes, to) {
		return fmt.Errorf("casework.Decide: %s is not an outcome of %s", to, lc.Service)
	}
	if c.Status != Submitted {
		return apperr.New(apperr.Conflict, "case.already_changed")
	}
	if _, err := tx.Exec(ctx, `UPDATE cases SET decided_at = $1 WHERE id = $2 AND status = $3`, now.UTC(), c.ID, Submitted); err != nil {
		return fmt.Errorf("casework.Decide: %w", err)
	}
	return lc.move(ctx, tx, c, to, now, by, "decide")
}

// Move takes a decided case on to a later state of the service, as its
// Moves allow; a case that is no longer where the caller saw it is a
// Conflict.
func (lc *Lifecycle) Move(ctx context.Context, tx *db.DB, c *Case, to Status, now time.Time, by audit.Event, action string) error {
	if !slices.Contains(lc.Moves[c.Status], to) {
		return apperr.New(apperr.Conflict, "case.already_changed")
	}
	return lc.move(ctx, tx, c, to, now, by, action)
}

// Withdraw ends a case its applicant no longer wants, before a decision.
func (lc *Lifecycle) Withdraw(ctx context.Context, tx *db.DB, c *Case, now time.Time, by audit.Event) error {
	if !c.Open() {
		return apperr.New(apperr.Conflict, "case.already_decided")
	}
	return lc.move(ctx, tx, c, Withdrawn, now, by, "withdraw")
}

// Assign gives the case to an operator (0 to nobody).
func (lc *Lifecycle) Assign(ctx context.Context, tx *db.DB, c *Case, staffID int64, now time.Time, by audit.Event) error {
	res, err := tx.Exec(ctx, `UPDATE cases SET assignee_id = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4`,
		sql.NullInt64{Int64: staffID, Valid: staffID != 0}, now.UTC(), c.ID, c.Version)
	if err != nil {
		return fmt.Errorf("casework.Assign: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "case.already_changed")
	}
	c.AssigneeID, c.Version = staffID, c.Version+1
	by.Detail = "staff:" + strconv.FormatInt(staffID, 10)
	return lc.record(ctx, tx, now, by, "assign", c)
}

// move is every status change: from the status the caller saw, or not at all.
func (lc *Lifecycle) move(ctx context.Context, tx *db.DB, c *Case, to Status, now time.Time, by audit.Event, action string) error {
	res, err := tx.Exec(ctx, `UPDATE cases SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status = $4`,
		to, now.UTC(), c.ID, c.Status)
	if err != nil {
		return fmt.Errorf("casework.%s: %w", action, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(apperr.Conflict, "case.already_changed")
	}
	c.Status, c.Version = to, c.Version+1
	return lc.record(ctx, tx, now, by, action, c)
}

func (lc *Lifecycle) record(ctx context.Context, tx *db.DB, now time.Time, by audit.Event, action string, c *Case) error {
	by.Action = "case." + action
	by.Object = "case:" + strconv.FormatInt(c.ID, 10)
	if by.Detail == "" {
		by.Detail = lc.Service + " " + string(c.Status)
	}
	return audit.Record(ctx, tx, now, by)
}

// nextNumber takes the next case number of the service's year in tx.
func (lc *Lifecycle) nextNumber(ctx context.Context, tx *db.DB, now time.Time) (string, error) {
	return NextNumber(ctx, tx, lc.Service, lc.Prefix, lc.Jurisdiction, now)
}

// NextNumber takes the next number of a series (a service's cases, its
// permits …) for the year in the jurisdiction, in tx: "P-2026-000123". The
// counter row serializes numbering of one series and year, briefly.
func NextNumber(ctx context.Context, tx *db.DB, series, prefix, jurisdiction string, now time.Time) (string, error) {
	year := numberYear(jurisdiction, now)
	var n int64
	if err := tx.WriteRow(ctx, counterUpsert+` RETURNING last`, series, year).Scan(&n); err != nil {
		return "", fmt.Errorf("casework.NextNumber: %w", err)
	}
	return formatNumber(prefix, year, n), nil
}

// counterUpsert takes a series' next number for a year ($1, $2).
const counterUpsert = `INSERT INTO case_counters (service, year, last) VALUES ($1, $2, 1)
	ON CONFLICT (service, year) DO UPDATE SET last = case_counters.last + 1`

// numberYear is the year a number taken now belongs to: the year where
// the ministry is.
func numberYear(jurisdiction string, now time.Time) int { return now.In(Zone(jurisdiction)).Year() }

func formatNumber(prefix string, year int, n int64) string {
	return fmt.Sprintf("%s-%d-%06d", prefix, year, n)
}
