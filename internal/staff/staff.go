// Package staff holds the back-office accounts of the ministry: operators,
// who decide on cabinets and applications, and admins, who also manage
// the accounts. An admin creates an account; its holder receives an
// invitation link (valid 72 hours) to set a password. Accounts are
// disabled, never deleted, so the audit trail keeps its names.
package staff

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/jobs"
	"github.com/emgek/emgek/internal/password"
	"github.com/emgek/emgek/internal/throttle"
	"github.com/emgek/emgek/internal/token"
)

// Role is what a member of staff may do.
type Role string

// The roles.
const (
	Operator Role = "operator"
	Admin    Role = "admin"
)

// InviteTTL is how long an invitation link works.
const InviteTTL = 72 * time.Hour

// Member is a back-office account.
type Member struct {
	ID         int64
	Email      string
	Name       string
	Role       Role
	Unit       string
	Disabled   bool
	Lang       string
	CreatedAt  time.Time
	PasswordAt *time.Time
	hash       string
}

// Service manages the accounts.
type Service struct {
	DB      *db.DB
	Jobs    *jobs.Queue
	Guard   *throttle.LoginGuard
	Now     func() time.Time
	BaseURL string
	Lang    string // the deployment's default language, for invitations
}

const columns = `id, email, name, role, unit, disabled, lang, created_at, password_changed_at, password_hash`

func scan(s interface{ Scan(...any) error }) (*Member, error) {
	var m Member
	var pw sql.NullTime
	if err := s.Scan(&m.ID, &m.Email, &m.Name, &m.Role, &m.Unit, &m.Disabled, &m.Lang, &m.CreatedAt, &pw, &m.hash); err != nil {
		return nil, err
	}
	if pw.Valid {
		m.PasswordAt = &pw.Time
	}
	return &m, nil
}

// ByID returns a member, or NotFound.
func ByID(ctx context.Context, d *db.DB, id int64) (*Member, error) {
	m, err := scan(d.QueryRow(ctx, `SELECT `+columns+` FROM staff WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("staff.ByID: %w", err)
	}
	return m, nil
}

// List returns every account, by name.
func List(ctx context.Context, d *db.DB) ([]*Member, error) {
	rows, err := d.Query(ctx, `SELECT `+columns+` FROM staff ORDER BY disabled, name, id`)
	if err != nil {
		return nil, fmt.Errorf("staff.List: %w", err)
	}
	defer rows.Close()
	var out []*Member
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("staff.List: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Input is what an admin enters about an account.
type Input struct {
	Email string
	Name  string
	Role  Role
	Unit  string
}

func (in *Input) validate(withEmail bool) apperr.FieldErrors {
	var fe apperr.FieldErrors
	in.Email = strings.ToLower(strings.TrimSpace(in.Email))
	in.Name = strings.TrimSpace(in.Name)
	in.Unit = strings.TrimSpace(in.Unit)
	if withEmail {
		if in.Email == "" {
			fe.Add("email", "form.required")
		} else if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
			fe.Add("email", "form.email_invalid")
		}
	}
	if in.Name == "" {
		fe.Add("name", "form.required")
	}
	if in.Role != Operator && in.Role != Admin {
		fe.Add("role", "form.choose")
	}
	return fe
}

// Create adds an account. With a password (the command line) it can log
// in at once; without one (the back office) its holder is emailed an
// invitation to set one.
func (s *Service) Create(ctx context.Context, in Input, pw string, by audit.Event) (*Member, error) {
	fe := in.validate(true)
	var hash string
	if pw != "" {
		if p := password.Problem(pw); p != "" {
			fe.Add("password", p)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if pw != "" {
		var err error
		if hash, err = password.Hash(ctx, pw); err != nil {
			return nil, err
		}
	}
	now := s.Now().UTC()
	// Lang stays empty until the member picks a language: pages follow the
	// browser's until then.
	m := &Member{Email: in.Email, Name: in.Name, Role: in.Role, Unit: in.Unit, CreatedAt: now}
	err := s.DB.Transact(ctx, func(tx *db.DB) error {
		var pwAt any
		if hash != "" {
			pwAt = now
		}
		err := tx.WriteRow(ctx, `INSERT INTO staff (email, name, role, unit, password_hash, lang, created_at, password_changed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, m.Email, m.Name, m.Role, m.Unit, hash, m.Lang, now, pwAt).Scan(&m.ID)
		if db.IsUniqueViolation(err) {
			return apperr.Field("email", "staff.email_taken")
		}
		if err != nil {
			return fmt.Errorf("staff.Create: %w", err)
		}
		by.Action, by.Object, by.Detail = "staff.create", object(m.ID), string(m.Role)
		if err := audit.Record(ctx, tx, now, by); err != nil {
			return err
		}
		if hash != "" || s.Jobs == nil {
			return nil
		}
		return s.invite(ctx, tx, m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (s *Service) invite(ctx context.Context, tx *db.DB, m *Member) error {
	lang := m.Lang
	if lang == "" {
		lang = s.Lang
	}
	return s.Jobs.Mail(ctx, tx, "staff_invite", lang, m.Email, map[string]any{"Name": m.Name}, &jobs.Link{
		Purpose: token.StaffInvite, Subject: token.Subject{Staff: m.ID}, TTL: InviteTTL, Prefix: s.BaseURL + "/office/invite/",
	})
}

// Update changes an account's name, role, unit and whether it is disabled.
// An admin cannot disable or demote themselves (someone must stay admin).
func (s *Service) Update(ctx context.Context, id int64, in Input, disabled bool, by audit.Event, byID int64) error {
	if err := in.validate(false).Err(); err != nil {
		return err
	}
	if id == byID && (disabled || in.Role != Admin) {
		return apperr.Field("role", "staff.not_self")
	}
	now := s.Now().UTC()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		res, err := tx.Exec(ctx, `UPDATE staff SET name = $1, role = $2, unit = $3, disabled = $4 WHERE id = $5`,
			in.Name, in.Role, in.Unit, disabled, id)
		if err != nil {
			return fmt.Errorf("staff.Update: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		by.Action, by.Object, by.Detail = "staff.update", object(id), fmt.Sprintf("role=%s disabled=%v", in.Role, disabled)
		return audit.Record(ctx, tx, now, by)
	})
}

// Login checks a member's email and password (throttled like cabinets).
func (s *Service) Login(ctx context.Context, email, pw, ip, device string) (*Member, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	attempt, err := s.Guard.Start(ctx, email, pw, ip, device)
	if err != nil {
		return nil, err
	}
	m, err := scan(s.DB.QueryRow(ctx, `SELECT `+columns+` FROM staff WHERE email = $1`, email))
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("staff.Login: %w", err)
	}
	hash := ""
	if m != nil && !m.Disabled {
		hash = m.hash
	}
	ok, err := password.Check(ctx, hash, pw)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.Field("email", "login.wrong") // the attempt stays counted
	}
	return m, attempt.Succeeded(ctx)
}

// CanLogIn reports whether a session begun at since still holds.
func (m *Member) CanLogIn(since time.Time) bool {
	return !m.Disabled && m.hash != "" && (m.PasswordAt == nil || !m.PasswordAt.After(since))
}

// CheckInvite tells whether an invitation link still works.
func (s *Service) CheckInvite(ctx context.Context, raw string) error {
	return token.Check(ctx, s.DB, token.StaffInvite, raw, s.Now())
}

// AcceptInvite sets the password of an invited account.
func (s *Service) AcceptInvite(ctx context.Context, raw, pw, confirm string, by audit.Event) (*Member, error) {
	var fe apperr.FieldErrors
	if p := password.Problem(pw); pw == "" {
		fe.Add("password", "form.required")
	} else if p != "" {
		fe.Add("password", p)
	}
	if confirm != pw {
		fe.Add("password_confirm", "password.mismatch")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	hash, err := password.Hash(ctx, pw)
	if err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	var m *Member
	err = s.DB.Transact(ctx, func(tx *db.DB) error {
		sub, err := token.Consume(ctx, tx, token.StaffInvite, raw, now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE staff SET password_hash = $1, password_changed_at = $2 WHERE id = $3`, hash, now, sub.Staff); err != nil {
			return err
		}
		by.Action, by.Object = "staff.accept_invite", object(sub.Staff)
		if err := audit.Record(ctx, tx, now, by); err != nil {
			return err
		}
		m, err = ByID(ctx, tx, sub.Staff)
		return err
	})
	return m, err
}

// EnsureDemo creates the demo account email with password if it does not
// exist (--dev only); it reports whether it created it.
func (s *Service) EnsureDemo(ctx context.Context, in Input, pw string) (bool, error) {
	var n int
	err := s.DB.QueryRow(ctx, `SELECT count(*) FROM staff WHERE email = $1`, in.Email).Scan(&n)
	if err != nil || n > 0 {
		return false, err
	}
	_, err = s.Create(ctx, in, pw, audit.Event{Actor: "system"})
	return err == nil, err
}

// SetLang remembers the member's language.
func (s *Service) SetLang(ctx context.Context, id int64, lang string) error {
	_, err := s.DB.Exec(ctx, `UPDATE staff SET lang = $1 WHERE id = $2`, lang, id)
	return err
}

func object(id int64) string { return fmt.Sprintf("staff:%d", id) }
