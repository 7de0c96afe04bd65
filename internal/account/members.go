package account

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
	"github.com/emgek/emgek/internal/kzid"
)

// The roles of the people acting for an organisation. The head comes from
// the head's certificate; the head grants the others.
const (
	RoleHead   = "head"
	RoleSigner = "signer" // signs and sends applications and the organisation's data
	RoleHR     = "hr"     // prepares applications
)

// GrantRoles are the roles a head may grant.
var GrantRoles = []string{RoleSigner, RoleHR}

// Member is a person acting for an organisation's cabinet.
type Member struct {
	ID, Cabinet int64
	IIN, Role   string
	Name        string // from their certificate, "" until their first login by it
	GrantedAt   time.Time
}

// CanSign reports whether the member may sign for the organisation.
func (m *Member) CanSign() bool { return m != nil && (m.Role == RoleHead || m.Role == RoleSigner) }

const memberColumns = `id, cabinet_id, iin, role, name, granted_at`

func scanMember(row interface{ Scan(...any) error }) (*Member, error) {
	var m Member
	err := row.Scan(&m.ID, &m.Cabinet, &m.IIN, &m.Role, &m.Name, &m.GrantedAt)
	return &m, err
}

// Members lists an organisation's current members, the head first.
func Members(ctx context.Context, d *db.DB, cabinet int64) ([]*Member, error) {
	rows, err := d.Query(ctx, `SELECT `+memberColumns+` FROM organisation_members WHERE cabinet_id = $1 AND withdrawn_at IS NULL
		ORDER BY role <> 'head', granted_at, id`, cabinet)
	if err != nil {
		return nil, fmt.Errorf("account.Members: %w", err)
	}
	defer rows.Close()
	var out []*Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MemberOf returns the person's current membership of the organisation,
// or nil.
func MemberOf(ctx context.Context, d *db.DB, cabinet int64, iin string) (*Member, error) {
	m, err := scanMember(d.QueryRow(ctx, `SELECT `+memberColumns+` FROM organisation_members
		WHERE cabinet_id = $1 AND iin = $2 AND withdrawn_at IS NULL`, cabinet, iin))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return m, err
}

// MemberByID returns a current membership by id, or nil when it was
// withdrawn or never was.
func MemberByID(ctx context.Context, d *db.DB, id int64) (*Member, error) {
	m, err := scanMember(d.QueryRow(ctx, `SELECT `+memberColumns+` FROM organisation_members WHERE id = $1 AND withdrawn_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return m, err
}

// Membership is an organisation a person acts for.
type Membership struct {
	Member
	OrgName string
}

// Memberships lists the organisations the person with iin acts for.
func Memberships(ctx context.Context, d *db.DB, iin string) ([]Membership, error) {
	rows, err := d.Query(ctx, `SELECT m.id, m.cabinet_id, m.iin, m.role, m.name, m.granted_at, e.org_name
		FROM organisation_members m JOIN employers e ON e.cabinet_id = m.cabinet_id
		WHERE m.iin = $1 AND m.withdrawn_at IS NULL ORDER BY e.org_name`, iin)
	if err != nil {
		return nil, fmt.Errorf("account.Memberships: %w", err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var ms Membership
		if err := rows.Scan(&ms.ID, &ms.Cabinet, &ms.IIN, &ms.Role, &ms.Name, &ms.GrantedAt, &ms.OrgName); err != nil {
			return nil, err
		}
		out = append(out, ms)
	}
	return out, rows.Err()
}

// enter records a certificate login into an organisation. For the head
// (role RoleHead) it makes the holder the head, withdrawing a previous
// head; for anyone else it only keeps the name their certificate gives.
func enter(ctx context.Context, tx *db.DB, cabinet int64, iin, role, name string, now time.Time) error {
	if role != RoleHead {
		_, err := tx.Exec(ctx, `UPDATE organisation_members SET name = $1 WHERE cabinet_id = $2 AND iin = $3 AND withdrawn_at IS NULL`, name, cabinet, iin)
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE organisation_members SET withdrawn_at = $1
		WHERE cabinet_id = $2 AND withdrawn_at IS NULL AND (role = 'head' OR iin = $3) AND NOT (role = 'head' AND iin = $3)`, now, cabinet, iin); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE organisation_members SET name = $1 WHERE cabinet_id = $2 AND iin = $3 AND withdrawn_at IS NULL`, name, cabinet, iin)
	if err != nil {
		return err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM organisation_members WHERE cabinet_id = $1 AND iin = $2 AND withdrawn_at IS NULL`, cabinet, iin).Scan(&n); err != nil || n > 0 {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO organisation_members (cabinet_id, iin, role, name, granted_at) VALUES ($1, $2, 'head', $3, $4)`, cabinet, iin, name, now)
	return err
}

// Grant lets the person with iin act for the organisation in role. Only
// the head grants; the IIN is checked by its own rules, never looked up:
// no registry record is shown to someone who only typed an IIN.
func (s *Service) Grant(ctx context.Context, head *Member, iin, role string, by audit.Event) error {
	if head == nil || head.Role != RoleHead {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	var fe apperr.FieldErrors
	id, err := kzid.ParseIIN(iin)
	var p *kzid.Problem
	if errors.As(err, &p) {
		fe.Add("iin", p.Key, p.Args)
	}
	if !slices.Contains(GrantRoles, role) {
		fe.Add("role", "form.choose")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	now := s.Now().UTC()
	err = s.DB.Transact(ctx, func(tx *db.DB) error {
		var mid int64
		if err := tx.WriteRow(ctx, `INSERT INTO organisation_members (cabinet_id, iin, role, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			head.Cabinet, id.Number, role, head.ID, now).Scan(&mid); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: "member.grant", Object: "member:" + strconv.FormatInt(mid, 10), IP: by.IP, Detail: role})
	})
	if db.IsUniqueViolation(err) {
		return apperr.Field("iin", "member.exists")
	}
	return err
}

// Withdraw ends a membership the head granted; the head's own cannot be.
func (s *Service) Withdraw(ctx context.Context, head *Member, id int64, by audit.Event) error {
	if head == nil || head.Role != RoleHead {
		return apperr.New(apperr.Forbidden, "error.forbidden")
	}
	now := s.Now().UTC()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		res, err := tx.Exec(ctx, `UPDATE organisation_members SET withdrawn_at = $1
			WHERE id = $2 AND cabinet_id = $3 AND role <> 'head' AND withdrawn_at IS NULL`, now, id, head.Cabinet)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		return audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: "member.withdraw", Object: "member:" + strconv.FormatInt(id, 10), IP: by.IP})
	})
}
