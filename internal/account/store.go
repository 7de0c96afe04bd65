package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/db"
)

const cabinetColumns = `c.id, c.kind, c.status, c.email, c.password_hash, c.phone, c.lang, c.reject_reason,
	c.created_at, c.confirmed_at, c.decided_at, c.password_changed_at, c.version,
	COALESCE(e.org_name, ''), COALESCE(e.legal_form, ''), COALESCE(e.inn, ''), COALESCE(e.registered_address, ''),
	COALESCE(e.actual_address, ''), COALESCE(e.head_name, ''),
	COALESCE(p.surname, ''), COALESCE(p.given_name, ''), COALESCE(p.patronymic, ''), COALESCE(p.birth_date, ''),
	COALESCE(p.citizenship, ''), COALESCE(p.passport_no, ''), COALESCE(p.passport_issued, ''), COALESCE(p.passport_expires, ''),
	COALESCE(p.address, ''), COALESCE(p.activity, ''), COALESCE(p.field_of_work, ''), COALESCE(p.clients_abroad, ''),
	COALESCE(c.iin, ''), COALESCE(c.bin, '')`

const cabinetFrom = ` FROM cabinets c LEFT JOIN employers e ON e.cabinet_id = c.id LEFT JOIN persons p ON p.cabinet_id = c.id`

type scanner interface{ Scan(...any) error }

func scanCabinet(s scanner, more ...any) (*Cabinet, error) {
	var c Cabinet
	var e EmployerProfile
	var p PersonProfile
	var confirmed, decided sql.NullTime
	err := s.Scan(append([]any{&c.ID, &c.Kind, &c.Status, &c.Email, &c.passwordHash, &c.Phone, &c.Lang, &c.RejectReason,
		&c.CreatedAt, &confirmed, &decided, &c.PasswordAt, &c.Version,
		&e.OrgName, &e.LegalForm, &e.INN, &e.RegisteredAddress, &e.ActualAddress, &e.HeadName,
		&p.Surname, &p.GivenName, &p.Patronymic, &p.BirthDate, &p.Citizenship, &p.PassportNo, &p.PassportIssued,
		&p.PassportExpires, &p.Address, &p.Activity, &p.FieldOfWork, &p.ClientsAbroad, &c.IIN, &c.BIN}, more...)...)
	if err != nil {
		return nil, err
	}
	if confirmed.Valid {
		c.ConfirmedAt = &confirmed.Time
	}
	if decided.Valid {
		c.DecidedAt = &decided.Time
	}
	if c.Kind == Employer {
		c.Employer = &e
	} else {
		c.Person = &p
	}
	return &c, nil
}

// ByID returns a cabinet, or NotFound.
func ByID(ctx context.Context, d *db.DB, id int64) (*Cabinet, error) {
	c, err := scanCabinet(d.QueryRow(ctx, `SELECT `+cabinetColumns+cabinetFrom+` WHERE c.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("account.ByID %d: %w", id, err)
	}
	return c, nil
}

// ForSession returns a cabinet with its unread messages counted in the
// same query (package message's table), for the page navigation of a
// logged-in cabinet: one round trip a request instead of two.
func ForSession(ctx context.Context, d *db.DB, id int64) (*Cabinet, int, error) {
	var unread int
	c, err := scanCabinet(d.QueryRow(ctx, `SELECT `+cabinetColumns+`,
		(SELECT COUNT(*) FROM messages m WHERE m.cabinet_id = c.id AND m.read_at IS NULL)`+cabinetFrom+` WHERE c.id = $1`, id), &unread)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, 0, fmt.Errorf("account.ForSession %d: %w", id, err)
	}
	return c, unread, nil
}

// by returns the cabinet whose column (a unique one) equals v, or nil.
func by(ctx context.Context, d *db.DB, column, v string) (*Cabinet, error) {
	c, err := scanCabinet(d.QueryRow(ctx, `SELECT `+cabinetColumns+cabinetFrom+` WHERE c.`+column+` = $1`, v))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("account.by %s: %w", column, err)
	}
	return c, nil
}

// ByIIN returns a citizen's cabinet, or nil when the IIN has none.
func ByIIN(ctx context.Context, d *db.DB, iin string) (*Cabinet, error) {
	return by(ctx, d, "iin", iin)
}

// ByBIN returns an organisation's cabinet, or nil when the BIN has none.
func ByBIN(ctx context.Context, d *db.DB, bin string) (*Cabinet, error) {
	return by(ctx, d, "bin", bin)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// byEmail returns the cabinet with the email, or nil when there is none.
func byEmail(ctx context.Context, d *db.DB, email string) (*Cabinet, error) {
	return by(ctx, d, "email", email)
}

// Filter selects cabinets for the back office.
type Filter struct {
	Status Status
	Kind   Kind
	Limit  int
}

// Count is how many cabinets are in a status.
func Count(ctx context.Context, d *db.DB, status Status) (int, error) {
	var n int
	if err := d.QueryRow(ctx, `SELECT COUNT(*) FROM cabinets WHERE status = $1`, status).Scan(&n); err != nil {
		return 0, fmt.Errorf("account.Count: %w", err)
	}
	return n, nil
}

// List returns cabinets matching f, those waiting longest first.
func List(ctx context.Context, d *db.DB, f Filter) ([]*Cabinet, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, fmt.Sprintf("c.status = $%d", len(args)))
	}
	if f.Kind != "" {
		args = append(args, f.Kind)
		where = append(where, fmt.Sprintf("c.kind = $%d", len(args)))
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	args = append(args, f.Limit)
	q := `SELECT ` + cabinetColumns + cabinetFrom + ` WHERE ` + joinAnd(where) +
		fmt.Sprintf(` ORDER BY c.confirmed_at, c.id LIMIT $%d`, len(args))
	rows, err := d.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("account.List: %w", err)
	}
	defer rows.Close()
	var out []*Cabinet
	for rows.Next() {
		c, err := scanCabinet(rows)
		if err != nil {
			return nil, fmt.Errorf("account.List: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func joinAnd(conds []string) string {
	s := conds[0]
	for _, c := range conds[1:] {
		s += " AND " + c
	}
	return s
}

// insert creates the cabinet and its profile in tx.
func insert(ctx context.Context, tx *db.DB, c *Cabinet, now time.Time) error {
	err := tx.WriteRow(ctx, `INSERT INTO cabinets (kind, status, email, password_hash, phone, lang, created_at, password_changed_at, iin, bin)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9) RETURNING id`,
		c.Kind, c.Status, c.Email, c.passwordHash, c.Phone, c.Lang, now, nullable(c.IIN), nullable(c.BIN)).Scan(&c.ID)
	if err != nil {
		return err
	}
	if e := c.Employer; e != nil {
		_, err = tx.Exec(ctx, `INSERT INTO employers (cabinet_id, org_name, legal_form, inn, registered_address, actual_address, head_name)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.ID, e.OrgName, e.LegalForm, e.INN, e.RegisteredAddress, e.ActualAddress, e.HeadName)
		return err
	}
	p := c.Person
	_, err = tx.Exec(ctx, `INSERT INTO persons (cabinet_id, surname, given_name, patronymic, birth_date, citizenship, passport_no,
		passport_issued, passport_expires, address, activity, field_of_work, clients_abroad)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		c.ID, p.Surname, p.GivenName, p.Patronymic, p.BirthDate, p.Citizenship, p.PassportNo,
		p.PassportIssued, p.PassportExpires, p.Address, p.Activity, p.FieldOfWork, p.ClientsAbroad)
	return err
}

// setStatus moves a cabinet from one status to another; zero rows changed
// means someone else moved it first.
func setStatus(ctx context.Context, tx *db.DB, id int64, from, to Status, staffID int64, reason string, now time.Time) (bool, error) {
	var res sql.Result
	var err error
	if from == Unconfirmed { // the email is confirmed
		res, err = tx.Exec(ctx, `UPDATE cabinets SET status = $1, confirmed_at = $2, version = version + 1
			WHERE id = $3 AND status = $4`, to, now, id, from)
	} else {
		res, err = tx.Exec(ctx, `UPDATE cabinets SET status = $1, decided_at = $2, decided_by = $3, reject_reason = $4, version = version + 1
			WHERE id = $5 AND status = $6`, to, now, staffID, reason, id, from)
	}
	if err != nil {
		return false, fmt.Errorf("account.setStatus: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// Countries returns the set of valid citizenship codes.
func Countries(ctx context.Context, d *db.DB) (map[string]bool, error) {
	rows, err := d.Query(ctx, `SELECT code FROM countries`)
	if err != nil {
		return nil, fmt.Errorf("account.Countries: %w", err)
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		m[c] = true
	}
	return m, rows.Err()
}
