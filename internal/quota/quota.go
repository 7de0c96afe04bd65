package quota

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/jobs"
)

// Service runs the ledger and the applications.
type Service struct {
	DB   *db.DB
	Now  func() time.Time
	Jobs *jobs.Queue // the confirmation email of a sent application (none when nil)

	mu      sync.Mutex
	shown   map[int][]Cell // Remaining's cells of a year, for applicants' pages
	shownAt map[int]time.Time
}

// shownTTL is how old the figures an applicant's page shows may be: the
// sums run over every approved row of a year.
const shownTTL = 5 * time.Second

// Remaining is the year's ledger as applicants see it: Cells, reused for
// a few seconds. Decisions never use it; they count under lock.
func (s *Service) Remaining(ctx context.Context, year int) ([]Cell, error) {
	now := time.Now() // the real clock: a cache's age
	s.mu.Lock()
	cells, ok := s.shown[year]
	fresh := ok && now.Sub(s.shownAt[year]) < shownTTL
	s.mu.Unlock()
	if fresh {
		return cells, nil
	}
	cells, err := s.Cells(ctx, year)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.shown == nil {
		s.shown, s.shownAt = map[int][]Cell{}, map[int]time.Time{}
	}
	s.shown[year], s.shownAt[year] = cells, now
	s.mu.Unlock()
	return cells, nil
}

// SetQuota sets a cell's quota (an admin; a CSV import calls it per line).
// It cannot go below what is already approved.
func (s *Service) SetQuota(ctx context.Context, year int, region, major string, quota int, by audit.Event) error {
	var fe apperr.FieldErrors
	if year < 2000 || year > 2100 {
		fe.Add("year", "quota.year_range")
	}
	if len(major) != 1 || major[0] < '0' || major[0] > '9' {
		fe.Add("major_group", "form.choose") // a major group is one digit
	}
	if quota < 0 {
		fe.Add("quota", "quota.negative")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		if _, err := tx.Exec(ctx, `INSERT INTO quota_cells (year, region, major_group, quota, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (year, region, major_group) DO UPDATE SET quota = $4, updated_at = $5`, year, region, major, quota, now); err != nil {
			return fmt.Errorf("quota.SetQuota: %w", err)
		}
		approved, err := approvedIn(ctx, tx, year, region, major)
		if err != nil {
			return err
		}
		if approved > quota {
			e := apperr.Field("quota", "quota.below_approved")
			e.Fields["quota"] = apperr.FieldError{Key: "quota.below_approved", Args: map[string]any{"Approved": approved}}
			return e
		}
		by.Action, by.Object = "quota.set", fmt.Sprintf("quota_cell:%d/%s/%s", year, region, major)
		by.Detail = strconv.Itoa(quota)
		return audit.Record(ctx, tx, now, by)
	})
}

// approvedIn counts the units taken from a cell: approved rows, and the
// permits of foreign entrepreneurs that drew on the cell directly.
func approvedIn(ctx context.Context, tx *db.DB, year int, region, major string) (int, error) {
	var n int
	err := tx.QueryRow(ctx, `SELECT COALESCE((SELECT SUM(approved) FROM quota_rows
		WHERE year = $1 AND region = $2 AND major_group = $3 AND approved IS NOT NULL), 0)
		+ (SELECT COUNT(*) FROM quota_uses WHERE year = $1 AND region = $2 AND major_group = $3 AND row_id IS NULL)`, year, region, major).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("quota: approved sum: %w", err)
	}
	return n, nil
}

// ThisYear is the current year in Kyrgyzstan.
func ThisYear(now time.Time) int { return now.In(casework.Zone("KG")).Year() }

// Cells lists a year's ledger with approved and remaining figures.
func (s *Service) Cells(ctx context.Context, year int) ([]Cell, error) {
	rows, err := s.DB.Query(ctx, `SELECT c.year, c.region, c.major_group, c.quota,
		COALESCE((SELECT SUM(r.approved) FROM quota_rows r WHERE r.year = c.year AND r.region = c.region
			AND r.major_group = c.major_group AND r.approved IS NOT NULL), 0)
		+ (SELECT COUNT(*) FROM quota_uses u WHERE u.year = c.year AND u.region = c.region
			AND u.major_group = c.major_group AND u.row_id IS NULL)
		FROM quota_cells c WHERE c.year = $1 ORDER BY c.region, c.major_group`, year)
	if err != nil {
		return nil, fmt.Errorf("quota.Cells: %w", err)
	}
	defer rows.Close()
	var out []Cell
	for rows.Next() {
		var c Cell
		if err := rows.Scan(&c.Year, &c.Region, &c.MajorGroup, &c.Quota, &c.Approved); err != nil {
			return nil, fmt.Errorf("quota.Cells: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Apply creates a draft application for a cabinet (validated rows) and
// returns its case id.
func (s *Service) Apply(ctx context.Context, cabinetID int64, year int, region string, rows []Row, by audit.Event) (int64, error) {
	return s.apply(ctx, cabinetID, year, region, rows, "", by)
}

// Send creates the application and sends it to the ministry at once (the
// form's Send), in one transaction with its number, due date, audit rows
// and the confirmation email. request identifies the form: the same form
// sent again gives the application it made the first time.
func (s *Service) Send(ctx context.Context, cabinetID int64, year int, region string, rows []Row, request string, by audit.Event) (int64, error) {
	if request == "" {
		request = "-" // sent without a form's id: never matched
	}
	id, err := s.apply(ctx, cabinetID, year, region, rows, request, by)
	if db.IsUniqueViolation(err) {
		err = s.DB.QueryRow(ctx, `SELECT q.case_id FROM quota_applications q JOIN cases c ON c.id = q.case_id
			WHERE q.request_id = $1 AND c.cabinet_id = $2`, request, cabinetID).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("quota.Send again: %w", err)
		}
	}
	return id, err
}

// apply makes the application; with a request id it sends it too.
func (s *Service) apply(ctx context.Context, cabinetID int64, year int, region string, rows []Row, request string, by audit.Event) (int64, error) {
	send := request != ""
	var requestID any
	if send && request != "-" {
		requestID = request
	}
	var fe apperr.FieldErrors
	if this := ThisYear(s.Now()); year < this || year > this+1 {
		fe.Add("year", "quota.year_range")
	}
	if region == "" {
		fe.Add("region", "form.choose")
	}
	if len(rows) == 0 {
		fe.Add("rows", "quota.no_rows")
	}
	for i, r := range rows {
		p := "rows-" + strconv.Itoa(i) + "-"
		if r.Country == "" {
			fe.Add(p+"country", "form.choose")
		}
		if len(r.Occupation) != 4 {
			fe.Add(p+"occupation", "quota.unit_group")
		}
		if r.Requested < 1 || r.Requested > 10000 {
			fe.Add(p+"requested", "quota.requested_range")
		}
	}
	if err := fe.Err(); err != nil {
		return 0, err
	}
	now := s.Now()
	var reserved casework.Reservation
	if send {
		var err error
		if reserved, err = Lifecycle.Reserve(ctx, s.DB, now); err != nil {
			return 0, err
		}
	}
	// A Send is only writes once reserved: on PostgreSQL one round trip.
	// A draft's case returns its id, so it goes in a plain transaction.
	run := s.DB.Transact
	if send {
		run = s.DB.Pipeline
	}
	var id int64
	err := run(ctx, func(tx *db.DB) error {
		var c *casework.Case
		var err error
		if send {
			c, err = Lifecycle.CreateSubmitted(ctx, tx, cabinetID, now, reserved, by)
		} else {
			c, err = Lifecycle.Create(ctx, tx, cabinetID, now, by)
		}
		if err != nil {
			return err
		}
		id = c.ID
		if _, err := tx.Exec(ctx, `INSERT INTO quota_applications (case_id, year, region, request_id) VALUES ($1, $2, $3, $4)`,
			c.ID, year, region, requestID); err != nil {
			return fmt.Errorf("quota.Apply: %w", err)
		}
		args := make([]any, 0, 8*len(rows))
		for _, r := range rows {
			args = append(args, c.ID, r.Country, r.Occupation, r.Requested, strings.TrimSpace(r.Justification), year, region, r.Occupation[:1])
		}
		if _, err := tx.Exec(ctx, `INSERT INTO quota_rows (case_id, country, occupation, requested, justification, year, region, major_group)
			VALUES `+db.Values(len(rows), 8), args...); err != nil {
			return fmt.Errorf("quota.Apply rows: %w", err)
		}
		return nil
	})
	return id, err
}

// Submit sends a cabinet's draft (or resubmits after documents were asked).
func (s *Service) Submit(ctx context.Context, cabinetID, caseID int64, by audit.Event) error {
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		c, err := Lifecycle.OfCabinet(ctx, tx, cabinetID, caseID)
		if err != nil {
			return err
		}
		return Lifecycle.Submit(ctx, tx, c, s.Now(), by)
	})
}

// ByCase loads an application.
func (s *Service) ByCase(ctx context.Context, d *db.DB, caseID int64) (*Application, error) {
	c, err := Lifecycle.ByID(ctx, d, caseID)
	if err != nil {
		return nil, err
	}
	a := &Application{Case: c}
	err = d.QueryRow(ctx, `SELECT year, region, protocol_number, protocol_date FROM quota_applications WHERE case_id = $1`, caseID).
		Scan(&a.Year, &a.Region, &a.ProtocolNumber, &a.ProtocolDate)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("quota.ByCase: %w", err)
	}
	rows, err := d.Query(ctx, `SELECT id, country, occupation, requested, justification, approved, cut_reason FROM quota_rows WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("quota.ByCase: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Row
		var approved sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Country, &r.Occupation, &r.Requested, &r.Justification, &approved, &r.CutReason); err != nil {
			return nil, err
		}
		if approved.Valid {
			n := int(approved.Int64)
			r.Approved = &n
		}
		a.Rows = append(a.Rows, r)
	}
	return a, rows.Err()
}

// Decide records the commission's decision on every row of a submitted
// application in one transaction. A row may be approved from 0 up to its
// request and never beyond what its cell has left; a cut needs a reason.
// When a cell has too little left the whole decision is refused with the
// figures, and nothing changes.
func (s *Service) Decide(ctx context.Context, caseID, staffID int64, decisions []Decision, p Protocol, by audit.Event) error {
	var fe apperr.FieldErrors
	if strings.TrimSpace(p.Number) == "" {
		fe.Add("protocol_number", "form.required")
	}
	if p.Date.IsZero() {
		fe.Add("protocol_date", "form.date_invalid")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	now := s.Now()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		a, err := s.ByCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if a.Case.Status != casework.Submitted {
			return apperr.New(apperr.Conflict, "case.already_changed")
		}
		byRow := map[int64]Decision{}
		for _, d := range decisions {
			byRow[d.RowID] = d
		}
		need := map[string]int{} // per cell: units this decision approves
		var fe apperr.FieldErrors
		for i, r := range a.Rows {
			d, ok := byRow[r.ID]
			f := "rows-" + strconv.Itoa(i) + "-"
			switch {
			case !ok:
				fe.Add(f+"approved", "form.required")
			case d.Approved < 0 || d.Approved > r.Requested:
				fe.Add(f+"approved", "quota.approved_range", map[string]any{"Requested": r.Requested})
			case d.Approved < r.Requested && !slices.Contains(CutReasons, d.Reason):
				fe.Add(f+"reason", "quota.reason_required")
			}
			need[r.Occupation[:1]] += d.Approved
		}
		if err := fe.Err(); err != nil {
			return err
		}
		majors := make([]string, 0, len(need))
		for m := range need {
			majors = append(majors, m)
		}
		slices.Sort(majors) // lock cells in one order: no deadlock between decisions
		for _, major := range majors {
			var quota int
			err := tx.WriteRow(ctx, `UPDATE quota_cells SET quota = quota WHERE year = $1 AND region = $2 AND major_group = $3 RETURNING quota`,
				a.Year, a.Region, major).Scan(&quota)
			if errors.Is(err, sql.ErrNoRows) {
				quota = 0 // no quota set for this cell
			} else if err != nil {
				return fmt.Errorf("quota.Decide lock: %w", err)
			}
			approved, err := approvedIn(ctx, tx, a.Year, a.Region, major)
			if err != nil {
				return err
			}
			if approved+need[major] > quota {
				e := apperr.New(apperr.Conflict, "quota.exceeded")
				e.Args = map[string]any{"Group": major, "Remaining": max(quota-approved, 0), "Wanted": need[major]}
				return e
			}
		}
		for _, r := range a.Rows {
			d := byRow[r.ID]
			reason := d.Reason
			if d.Approved == r.Requested {
				reason = ""
			}
			if _, err := tx.Exec(ctx, `UPDATE quota_rows SET approved = $1, cut_reason = $2 WHERE id = $3 AND case_id = $4 AND approved IS NULL`,
				d.Approved, reason, r.ID, caseID); err != nil {
				return fmt.Errorf("quota.Decide row: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE quota_applications SET protocol_number = $1, protocol_date = $2 WHERE case_id = $3`,
			strings.TrimSpace(p.Number), p.Date.Format(time.DateOnly), caseID); err != nil {
			return fmt.Errorf("quota.Decide: %w", err)
		}
		by.Detail = "protocol " + strings.TrimSpace(p.Number)
		return Lifecycle.Decide(ctx, tx, a.Case, casework.Decided, now, by)
	})
}

// ByCabinet lists a cabinet's applications, newest first (without their
// rows: ByCase has those).
func (s *Service) ByCabinet(ctx context.Context, cabinetID int64) ([]*Application, error) {
	return s.list(ctx, `WHERE c.service = $1 AND c.cabinet_id = $2 ORDER BY c.id DESC LIMIT 200`, Lifecycle.Service, cabinetID)
}

// list reads applications — their cases and headers, not their rows —
// in one query whose conditions and order follow FROM cases c JOIN
// quota_applications q.
func (s *Service) list(ctx context.Context, rest string, args ...any) ([]*Application, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+casework.Columns+`, q.year, q.region, q.protocol_number, q.protocol_date
		FROM cases c JOIN quota_applications q ON q.case_id = c.id `+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("quota: list: %w", err)
	}
	defer rows.Close()
	var out []*Application
	for rows.Next() {
		a := &Application{}
		if a.Case, err = casework.Scan(rows, &a.Year, &a.Region, &a.ProtocolNumber, &a.ProtocolDate); err != nil {
			return nil, fmt.Errorf("quota: list: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// QueueFilter narrows the operators' queue.
type QueueFilter struct {
	Status    casework.Status // submitted or documents_requested; both when empty
	Region    string
	Overdue   bool      // only those past their due date
	OlderThan time.Time // only those submitted before
}

// Queue lists applications waiting for the ministry, the earliest due
// first.
func (s *Service) Queue(ctx context.Context, f QueueFilter) ([]*Application, error) {
	where := []string{"c.service = $1"}
	args := []any{Lifecycle.Service}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Status != "" {
		add("c.status = $%d", f.Status)
	} else {
		where = append(where, "c.status IN ('submitted', 'documents_requested')")
	}
	if f.Region != "" {
		add("q.region = $%d", f.Region)
	}
	if f.Overdue {
		add("c.due_at < $%d", s.Now().UTC())
	}
	if !f.OlderThan.IsZero() {
		add("c.submitted_at < $%d", f.OlderThan.UTC())
	}
	return s.list(ctx, `WHERE `+strings.Join(where, " AND ")+` ORDER BY c.due_at, c.id LIMIT 100`, args...)
}

// Withdraw ends an application its employer no longer wants, before the
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

// RequestDocuments asks the employer for more documents, with a message
// about the application, in one transaction.
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

// ImportCSV sets the quotas of a year from CSV lines "region,major_group,quota"
// (a header line is allowed), all or nothing: a bad line is reported with
// its number and no quota changes.
func (s *Service) ImportCSV(ctx context.Context, year int, r io.Reader, by audit.Event) (int, error) {
	records, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return 0, apperr.Wrap(apperr.Invalid, "quota.csv_unreadable", err)
	}
	type line struct {
		n             int
		region, major string
		quota         int
	}
	var lines []line
	for i, rec := range records {
		if i == 0 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "region") {
			continue
		}
		q := -1
		if len(rec) == 3 {
			if v, err := strconv.Atoi(strings.TrimSpace(rec[2])); err == nil {
				q = v
			}
		}
		if q < 0 {
			return 0, csvLine(i + 1)
		}
		lines = append(lines, line{i + 1, strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1]), q})
	}
	// Cells are locked in (region, major group) order, as decisions lock
	// them, so an import and a decision never wait for each other in a circle.
	sort.Slice(lines, func(i, j int) bool {
		return lines[i].region < lines[j].region || lines[i].region == lines[j].region && lines[i].major < lines[j].major
	})
	err = s.DB.Transact(ctx, func(tx *db.DB) error {
		within := &Service{DB: tx, Now: s.Now}
		for _, l := range lines {
			if err := within.SetQuota(ctx, year, l.region, l.major, l.quota, by); err != nil {
				if apperr.KindOf(err) == apperr.Invalid || strings.Contains(err.Error(), "FOREIGN KEY") || strings.Contains(err.Error(), "23503") {
					return csvLine(l.n)
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(lines), nil
}

func csvLine(n int) error {
	e := apperr.Field("file", "quota.csv_line")
	e.Fields["file"] = apperr.FieldError{Key: "quota.csv_line", Args: map[string]any{"Line": n}}
	return e
}
