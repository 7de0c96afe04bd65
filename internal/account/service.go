package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/jobs"
	"github.com/emgek/emgek/internal/password"
	"github.com/emgek/emgek/internal/throttle"
	"github.com/emgek/emgek/internal/token"
)

// How long emailed links work.
const (
	ConfirmTTL = 24 * time.Hour
	ResetTTL   = 30 * time.Minute
)

// Service runs the cabinets' workflows.
type Service struct {
	DB        *db.DB
	Jobs      *jobs.Queue
	Documents *document.Service
	Guard     *throttle.LoginGuard
	Now       func() time.Time
	BaseURL   string
	Location  *time.Location // the jurisdiction's time zone, for "today"
	KZ        KZ             // Kazakhstan's registries and signatures
}

// Check normalizes a registration and returns its problems by field,
// without creating anything.
func (s *Service) Check(ctx context.Context, r *Registration) error {
	r.Email = NormalizeEmail(r.Email)
	r.Phone = NormalizePhone(r.Phone)
	r.Person.PassportNo = NormalizePassport(r.Person.PassportNo)
	r.Employer.INN = strings.TrimSpace(r.Employer.INN)
	countries, err := Countries(ctx, s.DB)
	if err != nil {
		return err
	}
	y, m, d := s.Now().In(s.Location).Date() // the calendar date in the jurisdiction
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return r.Validate(today, func(c string) bool { return countries[c] }).Err()
}

// Register creates a cabinet waiting for email confirmation and queues the
// confirmation email. When the email is already registered it returns nil
// all the same and emails the address's owner instead.
func (s *Service) Register(ctx context.Context, r Registration, by audit.Event) error {
	if err := s.Check(ctx, &r); err != nil {
		return err
	}
	hash, err := password.Hash(ctx, r.Password)
	if err != nil {
		return err
	}
	c := &Cabinet{Kind: r.Kind, Status: Unconfirmed, Email: r.Email, Phone: r.Phone, Lang: r.Lang, passwordHash: hash}
	if r.Kind == Employer {
		c.Employer = &r.Employer
	} else {
		c.Person = &r.Person
	}
	now := s.Now().UTC()
	err = s.DB.Transact(ctx, func(tx *db.DB) error {
		existing, err := byEmail(ctx, tx, r.Email)
		if err != nil {
			return err
		}
		if existing != nil {
			return s.alreadyRegistered(ctx, tx, existing, by, now)
		}
		if err := insert(ctx, tx, c, now); err != nil {
			return fmt.Errorf("account.Register: %w", err)
		}
		if err := document.Attach(ctx, tx, r.Draft, c.ID); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: "cabinet.register", Object: object(c.ID), IP: by.IP, Detail: string(c.Kind)}); err != nil {
			return err
		}
		return s.sendConfirmation(ctx, tx, c)
	})
	if db.IsUniqueViolation(err) {
		// Two registrations of one email at once: the other one won.
		err = s.DB.Transact(ctx, func(tx *db.DB) error {
			existing, err := byEmail(ctx, tx, r.Email)
			if err != nil || existing == nil {
				return err
			}
			return s.alreadyRegistered(ctx, tx, existing, by, now)
		})
	}
	if err != nil {
		return err
	}
	if c.ID == 0 { // nothing was created: the draft's files are not needed
		return s.Documents.DiscardDraft(ctx, r.Draft)
	}
	return nil
}

func (s *Service) alreadyRegistered(ctx context.Context, tx *db.DB, c *Cabinet, by audit.Event, now time.Time) error {
	if err := audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: "cabinet.register_again", Object: object(c.ID), IP: by.IP}); err != nil {
		return err
	}
	return s.Jobs.Mail(ctx, tx, "already_registered", c.Lang, c.Email, nil, nil)
}

func (s *Service) sendConfirmation(ctx context.Context, tx *db.DB, c *Cabinet) error {
	return s.Jobs.Mail(ctx, tx, "confirm_email", c.Lang, c.Email, nil, &jobs.Link{
		Purpose: token.ConfirmEmail, Subject: token.Subject{Cabinet: c.ID}, TTL: ConfirmTTL,
		Prefix: s.BaseURL + "/register/confirm/",
	})
}

// ConfirmEmail uses a confirmation token: the cabinet now waits for an
// operator, or is active when a registry and a certificate proved it; it
// returns which. A used, expired or unknown link is NotFound with its reason.
func (s *Service) ConfirmEmail(ctx context.Context, raw string, by audit.Event) (Status, error) {
	now := s.Now().UTC()
	var to Status
	err := s.DB.Transact(ctx, func(tx *db.DB) error {
		sub, err := token.Consume(ctx, tx, token.ConfirmEmail, raw, now)
		if err != nil {
			return err
		}
		c, err := ByID(ctx, tx, sub.Cabinet)
		if err != nil {
			return err
		}
		to = c.afterConfirmation()
		ok, err := setStatus(ctx, tx, sub.Cabinet, Unconfirmed, to, 0, "", now)
		if err != nil || !ok {
			return err // not unconfirmed any more: nothing to do
		}
		return audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: "cabinet.confirm_email", Object: object(sub.Cabinet), IP: by.IP})
	})
	return to, err
}

// ResendConfirmation sends a fresh link to an unconfirmed cabinet. For any
// other address it does nothing, and says nothing about it.
func (s *Service) ResendConfirmation(ctx context.Context, email string, by audit.Event) error {
	now := s.Now().UTC()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		c, err := byEmail(ctx, tx, NormalizeEmail(email))
		if err != nil || c == nil || c.Status != Unconfirmed {
			return err
		}
		if err := audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: "cabinet.resend_confirmation", Object: object(c.ID), IP: by.IP}); err != nil {
			return err
		}
		return s.sendConfirmation(ctx, tx, c)
	})
}

// Activate lets a pending cabinet log in. When another operator decided
// first it is a Conflict that says what they decided.
func (s *Service) Activate(ctx context.Context, id int64, staffID int64, by audit.Event) error {
	return s.decide(ctx, id, staffID, Active, "", by)
}

// Reject refuses a pending cabinet with a reason the applicant is sent.
func (s *Service) Reject(ctx context.Context, id int64, staffID int64, reason string, by audit.Event) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return apperr.Field("reason", "cabinet.reason_required")
	}
	return s.decide(ctx, id, staffID, Rejected, reason, by)
}

func (s *Service) decide(ctx context.Context, id, staffID int64, to Status, reason string, by audit.Event) error {
	now := s.Now().UTC()
	return s.DB.Transact(ctx, func(tx *db.DB) error {
		ok, err := setStatus(ctx, tx, id, Pending, to, staffID, reason, now)
		if err != nil {
			return err
		}
		c, err := ByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !ok {
			switch c.Status {
			case Active:
				return apperr.New(apperr.Conflict, "cabinet.already_active")
			case Rejected:
				return apperr.New(apperr.Conflict, "cabinet.already_rejected")
			}
			return apperr.New(apperr.Conflict, "cabinet.not_pending")
		}
		action, mail, data := "cabinet.activate", "cabinet_activated", map[string]any(nil)
		if to == Rejected {
			action, mail, data = "cabinet.reject", "cabinet_rejected", map[string]any{"Reason": reason}
		}
		if err := audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: action, Object: object(id), IP: by.IP}); err != nil {
			return err
		}
		return s.Jobs.Mail(ctx, tx, mail, c.Lang, c.Email, data, nil)
	})
}

// afterConfirmation is the status a confirmed email leads to: an
// operator's review, or none for the cabinets a state registry and an NCA
// certificate vouched for.
func (c *Cabinet) afterConfirmation() Status {
	if c.Kind == Citizen || c.BIN != "" {
		return Active
	}
	return Pending
}

func object(id int64) string { return fmt.Sprintf("cabinet:%d", id) }

// ImportDemo creates a demo cabinet in the given status without emails
// (for "emgek demo"); it does nothing when the email exists already.
func (s *Service) ImportDemo(ctx context.Context, r Registration, status Status) (bool, error) {
	hash, err := password.Hash(ctx, r.Password)
	if err != nil {
		return false, err
	}
	c := &Cabinet{Kind: r.Kind, Status: status, Email: NormalizeEmail(r.Email), Phone: r.Phone, Lang: r.Lang, passwordHash: hash}
	if r.Kind == Employer {
		c.Employer = &r.Employer
	} else {
		c.Person = &r.Person
	}
	created := false
	now := s.Now().UTC()
	err = s.DB.Transact(ctx, func(tx *db.DB) error {
		existing, err := byEmail(ctx, tx, c.Email)
		if err != nil || existing != nil {
			return err
		}
		if err := insert(ctx, tx, c, now); err != nil {
			return err
		}
		if status != Unconfirmed {
			if _, err := tx.Exec(ctx, `UPDATE cabinets SET confirmed_at = $1 WHERE id = $2`, now, c.ID); err != nil {
				return err
			}
		}
		created = true
		if err := document.Attach(ctx, tx, r.Draft, c.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, audit.Event{Actor: "system", Action: "cabinet.demo", Object: object(c.ID)})
	})
	return created, err
}
