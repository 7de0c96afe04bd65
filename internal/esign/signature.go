package esign

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/eds"
)

// Signature is a verified signature kept with what it signed.
type Signature struct {
	ID             int64
	Object, Action string // what was signed: "cabinet:12", "organisation.confirm"
	Content        string // the canonical JSON signed
	CMS            string // as received
	SignerName     string
	IIN, BIN       string
	Roles          []string
	Serial, Issuer string // the certificate's serial (hex) and issuer CN
	Actor          string // who was logged in
	SignedAt       time.Time
}

// Check verifies cms as a signature over content with the signing key, at
// the time of receipt. content must hold nonce, a challenge issued for the
// page (Challenge): it is used up here, so the same signature cannot be
// sent again later. A refusal is audited against object.
func (s *Service) Check(ctx context.Context, object, nonce string, content []byte, cms string, by audit.Event) (*eds.Signer, error) {
	if !s.Enabled() {
		return nil, s.off()
	}
	if strings.TrimSpace(cms) == "" {
		return nil, apperr.Field(Field, "eds.need_js")
	}
	now := s.Now().UTC()
	if !strings.Contains(string(content), nonce) {
		return nil, fmt.Errorf("esign.Check: the content does not hold the nonce")
	}
	if _, err := s.use(ctx, nonce, now); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, s.refuse(ctx, now, object, eds.Sign, &eds.Error{Code: CodeReplayed}, by)
		}
		return nil, err
	}
	signer, err := s.verify(ctx, []byte(cms), content, eds.Sign, now)
	if err != nil {
		return nil, s.refuse(ctx, now, object, eds.Sign, err, by)
	}
	return signer, nil
}

// Keep stores a signature Check accepted, in the caller's transaction,
// with an audit row naming it.
func Keep(ctx context.Context, tx *db.DB, object, action string, content []byte, cms string, signer *eds.Signer, by audit.Event) (int64, error) {
	var id int64
	err := tx.WriteRow(ctx, `INSERT INTO signatures (object, action, content, cms, signer_name, signer_iin, signer_bin, roles,
		cert_serial, cert_issuer, actor, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		object, action, string(content), cms, signer.CommonName, signer.IIN, signer.BIN, roles(signer),
		signer.Serial, signer.Issuer, by.Actor, signer.SignedAt.UTC()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("esign.Keep: %w", err)
	}
	by.Action, by.Object, by.Detail = "signature.keep", "signature:"+strconv.FormatInt(id, 10), action+" "+object
	return id, audit.Record(ctx, tx, signer.SignedAt, by)
}

const signatureColumns = `id, object, action, content, cms, signer_name, signer_iin, signer_bin, roles, cert_serial, cert_issuer, actor, signed_at`

func scan(row interface{ Scan(...any) error }) (*Signature, error) {
	var g Signature
	var rs string
	if err := row.Scan(&g.ID, &g.Object, &g.Action, &g.Content, &g.CMS, &g.SignerName, &g.IIN, &g.BIN, &rs,
		&g.Serial, &g.Issuer, &g.Actor, &g.SignedAt); err != nil {
		return nil, err
	}
	if rs != "" {
		g.Roles = strings.Split(rs, ",")
	}
	return &g, nil
}

// Of lists the signatures of an object, newest first.
func Of(ctx context.Context, d *db.DB, object string) ([]*Signature, error) {
	rows, err := d.Query(ctx, `SELECT `+signatureColumns+` FROM signatures WHERE object = $1 ORDER BY signed_at DESC, id DESC`, object)
	if err != nil {
		return nil, fmt.Errorf("esign.Of: %w", err)
	}
	defer rows.Close()
	var out []*Signature
	for rows.Next() {
		g, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("esign.Of: %w", err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// ByID returns a signature, or NotFound.
func ByID(ctx context.Context, d *db.DB, id int64) (*Signature, error) {
	g, err := scan(d.QueryRow(ctx, `SELECT `+signatureColumns+` FROM signatures WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	if err != nil {
		return nil, fmt.Errorf("esign.ByID: %w", err)
	}
	return g, nil
}

// Reverify checks a kept signature again — its CMS over the content it was
// kept with, at the time it was received, against today's roots and
// revocation lists — and audits the check. A refusal is returned as the
// page message of its code; nil means it still holds.
func (s *Service) Reverify(ctx context.Context, g *Signature, by audit.Event) error {
	if !s.Enabled() {
		return s.off()
	}
	object := "signature:" + strconv.FormatInt(g.ID, 10)
	_, err := s.verify(ctx, []byte(g.CMS), []byte(g.Content), eds.Sign, g.SignedAt)
	result := "valid"
	if c := Code(err); c != "" {
		result = c
	} else if err != nil {
		return err
	}
	by.Action, by.Object, by.Detail = "signature.reverify", object, result
	if aerr := audit.Record(ctx, s.DB, s.Now().UTC(), by); aerr != nil {
		return aerr
	}
	if err != nil {
		var e *eds.Error
		errors.As(err, &e)
		return Refusal(e)
	}
	return nil
}
