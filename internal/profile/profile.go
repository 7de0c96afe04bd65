// Package profile holds change requests: a cabinet's data, photo and
// passport page change only when an operator of the ministry approves
// (SERVICES.md S2). Until then the cabinet shows the approved values with
// the pending ones marked.
//
//	request ──> pending ──(operator)──> approved   (applied in the same transaction)
//	               └─────(operator)──> rejected   (with a reason)
//
// A cabinet has at most one pending request per subject (its data, its
// photo, its passport page); deciding is UPDATE … WHERE status =
// 'pending', so two operators cannot both decide one request.
package profile

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/jobs"
)

// Subject is what a request changes.
type Subject string

// The subjects.
const (
	Data                    Subject = "profile"
	Photo                   Subject = "photo"
	PassportPage            Subject = "passport_page"
	RegistrationCertificate Subject = "registration_certificate"
)

// Kind is the document a file subject replaces.
func (s Subject) Kind() document.Kind { return document.Kind(s) }

// Status is where a request is.
type Status string

// The statuses.
const (
	Pending  Status = "pending"
	Approved Status = "approved"
	Rejected Status = "rejected"
)

// Change is one field's value before and after.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Request is a change request.
type Request struct {
	ID          int64
	CabinetID   int64
	CabinetName string
	Subject     Subject
	Status      Status
	Changes     []Change
	DocumentID  int64 // the new file, for a photo, passport page or certificate
	OldID       int64 // the file in force when the request was made
	Reason      string
	CreatedAt   time.Time
	DecidedAt   *time.Time
}

// Service runs change requests.
type Service struct {
	DB        *db.DB
	Documents *document.Service
	Jobs      *jobs.Queue
	Now       func() time.Time
	Location  *time.Location
}

func (s *Service) today() time.Time {
	y, m, d := s.Now().In(s.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// RequestData asks to change the cabinet's data to values (the edit form).
func (s *Service) RequestData(ctx context.Context, cabinetID int64, values map[string]string, by audit.Event) error {
	c, err := account.ByID(ctx, s.DB, cabinetID)
	if err != nil {
		return err
	}
	changed, err := c.Changed(values, s.today())
	if err != nil {
		return err
	}
	old := c.Values()
	var changes []Change
	for f, v := range changed {
		changes = append(changes, Change{Field: f, Old: old[f], New: v})
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Field < changes[j].Field })
	return s.DB.Transact(ctx, func(tx *db.DB) error { return s.insert(ctx, tx, cabinetID, Data, changes, 0, 0, by) })
}

// RequestDocument asks to replace the cabinet's photo, passport page or
// registration certificate: the new file and the request are recorded in
// one transaction.
func (s *Service) RequestDocument(ctx context.Context, cabinetID int64, subject Subject, filename, contentType string, body io.Reader, by audit.Event) error {
	if err := s.noPending(ctx, cabinetID, subject); err != nil {
		return err
	}
	d, err := s.Documents.StoreFile(ctx, filename, contentType, body)
	if err != nil {
		return err
	}
	err = s.DB.Transact(ctx, func(tx *db.DB) error {
		old, err := document.InsertPending(ctx, tx, cabinetID, subject.Kind(), &d)
		if err != nil {
			return err
		}
		return s.insert(ctx, tx, cabinetID, subject, nil, d.ID, old, by)
	})
	if err != nil {
		_ = s.Documents.Blobs.Delete(ctx, d.BlobKey)
	}
	return err
}

func (s *Service) noPending(ctx context.Context, cabinetID int64, subject Subject) error {
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM change_requests WHERE cabinet_id = $1 AND subject = $2 AND status = 'pending'`,
		cabinetID, subject).Scan(&n); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	if n > 0 {
		return apperr.New(apperr.Conflict, "profile.already_pending")
	}
	return nil
}

func (s *Service) insert(ctx context.Context, tx *db.DB, cabinetID int64, subject Subject, changes []Change, docID, oldID int64, by audit.Event) error {
	if changes == nil {
		changes = []Change{}
	}
	js, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	var id int64
	err = tx.WriteRow(ctx, `INSERT INTO change_requests (cabinet_id, subject, status, changes, document_id, old_document_id, created_at)
		VALUES ($1, $2, 'pending', $3, $4, $5, $6) RETURNING id`,
		cabinetID, subject, string(js), nullID(docID), nullID(oldID), now).Scan(&id)
	if db.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "profile.already_pending")
	}
	if err != nil {
		return fmt.Errorf("profile.insert: %w", err)
	}
	by.Action, by.Object, by.Detail = "profile.request", object(cabinetID), fmt.Sprintf("change:%d %s", id, subject)
	return audit.Record(ctx, tx, now, by)
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

const columns = `r.id, r.cabinet_id, COALESCE(e.org_name, p.surname || ' ' || p.given_name, c.email), r.subject, r.status,
	r.changes, COALESCE(r.document_id, 0), COALESCE(r.old_document_id, 0), r.reason, r.created_at, r.decided_at`

// CountPending is how many change requests wait for the ministry.
func CountPending(ctx context.Context, d *db.DB) (int, error) {
	var n int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM change_requests WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("profile.CountPending: %w", err)
	}
	return n, nil
}

const from = ` FROM change_requests r JOIN cabinets c ON c.id = r.cabinet_id
	LEFT JOIN employers e ON e.cabinet_id = c.id LEFT JOIN persons p ON p.cabinet_id = c.id`

func scanAll(rows *sql.Rows) ([]Request, error) {
	defer rows.Close()
	var out []Request
	for rows.Next() {
		var r Request
		var js string
		var decided sql.NullTime
		if err := rows.Scan(&r.ID, &r.CabinetID, &r.CabinetName, &r.Subject, &r.Status, &js, &r.DocumentID, &r.OldID, &r.Reason, &r.CreatedAt, &decided); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(js), &r.Changes); err != nil {
			return nil, err
		}
		if decided.Valid {
			r.DecidedAt = &decided.Time
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Filter selects requests.
type Filter struct {
	Status    Status
	CabinetID int64
}

// List returns requests: the queue (pending, oldest first) or a cabinet's
// history (newest first).
func (s *Service) List(ctx context.Context, f Filter) ([]Request, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, fmt.Sprintf("r.status = $%d", len(args)))
	}
	order := "r.id"
	if f.CabinetID != 0 {
		args = append(args, f.CabinetID)
		where = append(where, fmt.Sprintf("r.cabinet_id = $%d", len(args)))
		order = "r.id DESC"
	}
	rows, err := s.DB.Query(ctx, `SELECT `+columns+from+` WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT 200`, args...)
	if err != nil {
		return nil, fmt.Errorf("profile.List: %w", err)
	}
	reqs, err := scanAll(rows)
	if err != nil {
		return nil, fmt.Errorf("profile.List: %w", err)
	}
	return reqs, nil
}

// ByID returns a request, or NotFound.
func (s *Service) ByID(ctx context.Context, id int64) (Request, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+columns+from+` WHERE r.id = $1`, id)
	if err != nil {
		return Request{}, fmt.Errorf("profile.ByID: %w", err)
	}
	reqs, err := scanAll(rows)
	if err != nil {
		return Request{}, fmt.Errorf("profile.ByID: %w", err)
	}
	if len(reqs) == 0 {
		return Request{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	return reqs[0], nil
}

// Approve applies a pending request in the same transaction as its audit
// row and the owner's email.
func (s *Service) Approve(ctx context.Context, id, staffID int64, by audit.Event) error {
	return s.decide(ctx, id, staffID, Approved, "", by)
}

// Reject refuses a pending request with a reason the owner is sent.
func (s *Service) Reject(ctx context.Context, id, staffID int64, reason string, by audit.Event) error {
	if reason = strings.TrimSpace(reason); reason == "" {
		return apperr.Field("reason", "profile.reason_required")
	}
	return s.decide(ctx, id, staffID, Rejected, reason, by)
}

func (s *Service) decide(ctx context.Context, id, staffID int64, to Status, reason string, by audit.Event) error {
	now := s.Now().UTC()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		res, err := tx.Exec(ctx, `UPDATE change_requests SET status = $1, reason = $2, decided_at = $3, decided_by = $4
			WHERE id = $5 AND status = 'pending'`, to, reason, now, staffID, id)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT `+columns+from+` WHERE r.id = $1`, id)
		if err != nil {
			return err
		}
		reqs, err := scanAll(rows)
		if err != nil {
			return err
		}
		if len(reqs) == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		r := reqs[0]
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.New(apperr.Conflict, "profile.already_decided")
		}
		switch {
		case to == Approved && r.Subject == Data:
			changes := map[string]string{}
			for _, c := range r.Changes {
				changes[c.Field] = c.New
			}
			err = account.ApplyProfile(ctx, tx, r.CabinetID, changes)
		case to == Approved:
			err = document.Promote(ctx, tx, r.CabinetID, r.DocumentID, now)
		case r.DocumentID != 0:
			err = document.Refuse(ctx, tx, r.CabinetID, r.DocumentID)
		}
		if err != nil {
			return err
		}
		by.Action, by.Object, by.Detail = "profile."+string(to), object(r.CabinetID), "change:"+strconv.FormatInt(id, 10)
		if err := audit.Record(ctx, tx, now, by); err != nil {
			return err
		}
		var email, lang string
		if err := tx.QueryRow(ctx, `SELECT email, lang FROM cabinets WHERE id = $1`, r.CabinetID).Scan(&email, &lang); err != nil {
			return err
		}
		return s.Jobs.Mail(ctx, tx, "change_"+string(to), lang, email, map[string]any{"Subject": string(r.Subject), "Reason": reason}, nil)
	})
}

// PendingValues returns the new values waiting for review, by field, and
// whether a photo or passport page is waiting — for marking the page.
func (s *Service) PendingValues(ctx context.Context, cabinetID int64) (map[string]string, error) {
	reqs, err := s.List(ctx, Filter{Status: Pending, CabinetID: cabinetID})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range reqs {
		for _, c := range r.Changes {
			out[c.Field] = c.New
		}
		if r.Subject != Data {
			out[string(r.Subject)] = "pending"
		}
	}
	return out, nil
}

// OfCabinet returns a request of the cabinet — the ownership check.
func (s *Service) OfCabinet(ctx context.Context, cabinetID, id int64) (Request, error) {
	r, err := s.ByID(ctx, id)
	if err == nil && r.CabinetID != cabinetID {
		err = apperr.New(apperr.NotFound, "error.not_found")
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = apperr.New(apperr.NotFound, "error.not_found")
	}
	return r, err
}

func object(cabinetID int64) string { return "cabinet:" + strconv.FormatInt(cabinetID, 10) }
