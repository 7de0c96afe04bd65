package account

import (
	"context"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/jobs"
	"github.com/emgek/emgek/internal/kzid"
	"github.com/emgek/emgek/internal/password"
	"github.com/emgek/emgek/internal/token"
)

// Login checks an email (or a citizen's IIN) and password. A wrong pair is one message for
// both fields (which one was wrong is not said); the attempt counts
// towards throttling unless device shows this browser logged in before.
// A right password on a cabinet that may not log in yet says why.
func (s *Service) Login(ctx context.Context, email, pw, ip, device string) (*Cabinet, error) {
	key := LoginKey(email)
	attempt, err := s.Guard.Start(ctx, key, pw, ip, device)
	if err != nil {
		return nil, err
	}
	var c *Cabinet
	if iin, ok := strings.CutPrefix(key, "iin:"); ok { // a Kazakhstan citizen logs in by IIN
		c, err = ByIIN(ctx, s.DB, iin)
	} else {
		c, err = byEmail(ctx, s.DB, key)
	}
	if err != nil {
		return nil, err
	}
	hash := ""
	if c != nil && c.BIN == "" { // an organisation logs in only through its people
		hash = c.passwordHash
	}
	ok, err := password.Check(ctx, hash, pw)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, apperr.Field("email", "login.wrong") // the attempt stays counted
	}
	if err := attempt.Succeeded(ctx); err != nil {
		return nil, err
	}
	return c, c.LoginProblem()
}

// LoginKey is what a login form's identifier counts against, however it
// was typed: "iin:" and the twelve digits for a valid IIN (spaces
// dropped), else the normalized email. Throttling and device tokens use it.
func LoginKey(typed string) string {
	if iin, err := kzid.ParseIIN(typed); err == nil {
		return "iin:" + iin.Number
	}
	return NormalizeEmail(typed)
}

// LoginProblem says why a cabinet may not log in yet, or nil.
func (c *Cabinet) LoginProblem() error {
	switch c.Status {
	case Unconfirmed:
		return apperr.New(apperr.Forbidden, "login.unconfirmed")
	case Pending:
		return apperr.New(apperr.Forbidden, "login.pending")
	case Rejected:
		e := apperr.New(apperr.Forbidden, "login.rejected")
		e.Args = map[string]any{"Reason": c.RejectReason}
		return e
	}
	return nil
}

// CanLogIn reports whether a session of the cabinet, begun at since,
// still holds: the cabinet is active and its password has not changed
// since (a password change ends every other session).
func (c *Cabinet) CanLogIn(since time.Time) bool {
	return c.Status == Active && !c.PasswordAt.After(since)
}

// RequestReset emails a reset link valid 30 minutes to the cabinet with
// the email, if there is one; otherwise it does nothing, and says nothing.
func (s *Service) RequestReset(ctx context.Context, email string, by audit.Event) error {
	now := s.Now().UTC()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		c, err := byEmail(ctx, tx, NormalizeEmail(email))
		if err != nil || c == nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: "cabinet.request_reset", Object: object(c.ID), IP: by.IP}); err != nil {
			return err
		}
		return s.Jobs.Mail(ctx, tx, "reset_password", c.Lang, c.Email, nil, &jobs.Link{
			Purpose: token.ResetPassword, Subject: token.Subject{Cabinet: c.ID}, TTL: ResetTTL,
			Prefix: s.BaseURL + "/password/reset/",
		})
	})
}

// CheckReset tells whether a reset link still works.
func (s *Service) CheckReset(ctx context.Context, raw string) error {
	return token.Check(ctx, s.DB, token.ResetPassword, raw, s.Now())
}

// ResetPassword sets a new password with a reset link, using it up.
func (s *Service) ResetPassword(ctx context.Context, raw, pw, confirm string, by audit.Event) error {
	if err := newPasswordProblems(pw, confirm).Err(); err != nil {
		return err
	}
	hash, err := password.Hash(ctx, pw)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		sub, err := token.Consume(ctx, tx, token.ResetPassword, raw, now)
		if err != nil {
			return err
		}
		if err := setPassword(ctx, tx, sub.Cabinet, hash, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: "cabinet.reset_password", Object: object(sub.Cabinet), IP: by.IP})
	})
}

// ChangePassword replaces the password after checking the current one.
func (s *Service) ChangePassword(ctx context.Context, id int64, current, pw, confirm string, by audit.Event) error {
	fe := newPasswordProblems(pw, confirm)
	if current == "" {
		fe.Add("current_password", "form.required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	c, err := ByID(ctx, s.DB, id)
	if err != nil {
		return err
	}
	ok, err := password.Check(ctx, c.passwordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.Field("current_password", "password.current_wrong")
	}
	hash, err := password.Hash(ctx, pw)
	if err != nil {
		return err
	}
	now := s.Now().UTC()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		if err := setPassword(ctx, tx, id, hash, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: "cabinet.change_password", Object: object(id), IP: by.IP})
	})
}

func newPasswordProblems(pw, confirm string) apperr.FieldErrors {
	var fe apperr.FieldErrors
	if pw == "" {
		fe.Add("password", "form.required")
	} else if p := password.Problem(pw); p != "" {
		fe.Add("password", p)
	}
	if confirm == "" {
		fe.Add("password_confirm", "form.required")
	} else if confirm != pw {
		fe.Add("password_confirm", "password.mismatch")
	}
	return fe
}

func setPassword(ctx context.Context, tx *db.DB, id int64, hash string, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE cabinets SET password_hash = $1, password_changed_at = $2, version = version + 1 WHERE id = $3`, hash, now, id)
	return err
}

// SetLang remembers the cabinet's language for pages and emails.
func (s *Service) SetLang(ctx context.Context, id int64, lang string) error {
	_, err := s.DB.Exec(ctx, `UPDATE cabinets SET lang = $1 WHERE id = $2`, lang, id)
	return err
}
