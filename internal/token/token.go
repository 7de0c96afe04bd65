// Package token issues the single-use links sent by email (confirm an
// address, reset a password, accept a back-office invitation). Only the
// SHA-256 of a token is stored, so a copy of the database opens nothing.
package token

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/db"
)

// Purpose says what a token is for; a token works for its purpose only.
type Purpose string

// The purposes.
const (
	ConfirmEmail  Purpose = "confirm_email"
	ResetPassword Purpose = "reset_password"
	StaffInvite   Purpose = "staff_invite"
)

// Subject is whose token it is: a cabinet or a member of staff.
type Subject struct {
	Cabinet int64
	Staff   int64
}

func hash(raw string) string {
	s := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(s[:])
}

// Issue creates a token valid for ttl, first using up the subject's
// earlier unused tokens of the same purpose (only the newest link works).
func Issue(ctx context.Context, tx *db.DB, p Purpose, s Subject, ttl time.Duration, now time.Time) (string, error) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	raw := base64.RawURLEncoding.EncodeToString(b)
	now = now.UTC()
	_, err := tx.Exec(ctx, `UPDATE tokens SET used_at = $1
		WHERE purpose = $2 AND used_at IS NULL AND (cabinet_id = $3 OR staff_id = $4)`, now, p, nullID(s.Cabinet), nullID(s.Staff))
	if err != nil {
		return "", fmt.Errorf("token.Issue: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO tokens (hash, purpose, cabinet_id, staff_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		hash(raw), p, nullID(s.Cabinet), nullID(s.Staff), now.Add(ttl), now)
	if err != nil {
		return "", fmt.Errorf("token.Issue: %w", err)
	}
	return raw, nil
}

// Consume uses a token up and returns its subject. An unknown, used or
// expired token is NotFound with a key saying which, so the page can
// offer the right next step.
func Consume(ctx context.Context, tx *db.DB, p Purpose, raw string, now time.Time) (Subject, error) {
	var cab, staff sql.NullInt64
	err := tx.WriteRow(ctx, `UPDATE tokens SET used_at = $1
		WHERE hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
		RETURNING cabinet_id, staff_id`, now.UTC(), hash(raw), p).Scan(&cab, &staff)
	if errors.Is(err, sql.ErrNoRows) {
		return Subject{}, whyNot(ctx, tx, p, raw, now)
	}
	if err != nil {
		return Subject{}, fmt.Errorf("token.Consume: %w", err)
	}
	return Subject{Cabinet: cab.Int64, Staff: staff.Int64}, nil
}

// Check tells whether a token is still usable without using it up (to
// show the new-password form before it is submitted).
func Check(ctx context.Context, d *db.DB, p Purpose, raw string, now time.Time) error {
	var n int
	err := d.QueryRow(ctx, `SELECT 1 FROM tokens WHERE hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3`,
		hash(raw), p, now.UTC()).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return whyNot(ctx, d, p, raw, now)
	}
	return err
}

func whyNot(ctx context.Context, d *db.DB, p Purpose, raw string, now time.Time) error {
	var used sql.NullTime
	var expires time.Time
	err := d.QueryRow(ctx, `SELECT used_at, expires_at FROM tokens WHERE hash = $1 AND purpose = $2`, hash(raw), p).Scan(&used, &expires)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return apperr.New(apperr.NotFound, "token.unknown")
	case err != nil:
		return fmt.Errorf("token: %w", err)
	case used.Valid:
		return apperr.New(apperr.NotFound, "token.used")
	case !expires.After(now):
		return apperr.New(apperr.NotFound, "token.expired")
	}
	return apperr.New(apperr.NotFound, "token.unknown")
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// Problem says why a link did not work: "used", "expired" or "unknown";
// ok is false when err is not about a link.
func Problem(err error) (reason string, ok bool) {
	e, isApp := apperr.As(err)
	if !isApp || e.Kind != apperr.NotFound || !strings.HasPrefix(e.Key, "token.") {
		return "", false
	}
	return strings.TrimPrefix(e.Key, "token."), true
}
