// Package verify makes printed documents checkable by anyone: each issued
// PDF gets a token, signed with Ed25519 under a key id, that its QR code
// carries as EMGEK_BASE_URL/verify/<token>. The public page looks the
// document up, shows what a checker needs and the SHA-256 of the PDF as
// issued, and logs the check. The public keys are at /verify/key, so a
// token can also be checked offline. The key lives in a file, so a QR
// printed before a restart still verifies.
//
// A token reads v1.<key id>.<document id>.<signature>, the signature over
// "emgek verify\nv1.<key id>.<document id>".
package verify

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/blob"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/keyfile"
)

// ErrForged is a token whose signature does not hold, or of no known key.
var ErrForged = errors.New("verify: forged token")

// Signer signs and checks tokens.
type Signer struct {
	Key  *keyfile.Key                 // signs new tokens
	Keys map[string]ed25519.PublicKey // every key a token may carry, the current one included
}

// NewSigner signs with key and accepts tokens of key and of older keys.
func NewSigner(key *keyfile.Key, older ...*keyfile.Key) *Signer {
	s := &Signer{Key: key, Keys: map[string]ed25519.PublicKey{key.ID: key.Public}}
	for _, k := range older {
		s.Keys[k.ID] = k.Public
	}
	return s
}

func message(body string) []byte { return []byte("emgek verify\n" + body) }

// Token returns the token of an issued document.
func (s *Signer) Token(docID int64) string {
	body := "v1." + s.Key.ID + "." + strconv.FormatInt(docID, 10)
	return body + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(s.Key.Private, message(body)))
}

// Check returns the document a token names, or ErrForged.
func (s *Signer) Check(token string) (int64, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 4 || parts[0] != "v1" {
		return 0, ErrForged
	}
	pub, ok := s.Keys[parts[1]]
	if !ok {
		return 0, ErrForged
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[3]) // Strict: one token per signature
	if err != nil || !ed25519.Verify(pub, message(strings.Join(parts[:3], ".")), sig) {
		return 0, ErrForged
	}
	id, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || id <= 0 {
		return 0, ErrForged
	}
	return id, nil
}

// Issued is a document issued as PDF.
type Issued struct {
	ID       int64
	Kind     string
	CaseID   int64
	Lang     string
	SHA256   string
	BlobKey  string
	IssuedAt time.Time
}

// Issuer renders a document once and keeps its bytes.
type Issuer struct {
	DB      *db.DB
	Blobs   blob.Store
	Signer  *Signer
	BaseURL string
	Now     func() time.Time
}

// URL is the verification URL for a token.
func (is *Issuer) URL(token string) string { return is.BaseURL + "/verify/" + token }

// Issue returns the document of kind for the case in lang, rendering it
// the first time: render gets the verification URL for the QR code. Later
// calls return the same bytes.
func (is *Issuer) Issue(ctx context.Context, kind string, caseID int64, lang string, render func(w io.Writer, verifyURL string) error) (Issued, []byte, error) {
	now := is.Now().UTC()
	_, err := is.DB.Exec(ctx, `INSERT INTO issued_documents (kind, case_id, lang, issued_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, case_id, lang) DO NOTHING`, kind, caseID, lang, now)
	if err != nil {
		return Issued{}, nil, fmt.Errorf("verify.Issue: %w", err)
	}
	d, err := is.byKey(ctx, kind, caseID, lang)
	if err != nil {
		return Issued{}, nil, err
	}
	if d.BlobKey != "" {
		r, err := is.Blobs.Get(ctx, d.BlobKey)
		if err != nil {
			return Issued{}, nil, err
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		return d, b, err
	}
	var buf bytes.Buffer
	if err := render(&buf, is.URL(is.Signer.Token(d.ID))); err != nil {
		return Issued{}, nil, err
	}
	sum := sha256.Sum256(buf.Bytes())
	key := blob.NewKey("issued")
	if err := is.Blobs.Put(ctx, key, bytes.NewReader(buf.Bytes()), int64(buf.Len()), "application/pdf"); err != nil {
		return Issued{}, nil, err
	}
	// Two renderings at once: the first to record its bytes wins, and the
	// other answers with those.
	res, err := is.DB.Exec(ctx, `UPDATE issued_documents SET sha256 = $1, blob_key = $2 WHERE id = $3 AND blob_key = ''`,
		hex.EncodeToString(sum[:]), key, d.ID)
	if err != nil {
		_ = is.Blobs.Delete(ctx, key)
		return Issued{}, nil, fmt.Errorf("verify.Issue: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_ = is.Blobs.Delete(ctx, key)
		return is.Issue(ctx, kind, caseID, lang, render)
	}
	d.SHA256, d.BlobKey = hex.EncodeToString(sum[:]), key
	return d, buf.Bytes(), nil
}

const columns = `id, kind, case_id, lang, sha256, blob_key, issued_at`

func scan(row *sql.Row) (Issued, error) {
	var d Issued
	err := row.Scan(&d.ID, &d.Kind, &d.CaseID, &d.Lang, &d.SHA256, &d.BlobKey, &d.IssuedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Issued{}, apperr.New(apperr.NotFound, "verify.unknown")
	}
	return d, err
}

func (is *Issuer) byKey(ctx context.Context, kind string, caseID int64, lang string) (Issued, error) {
	return scan(is.DB.WriteRow(ctx, `SELECT `+columns+` FROM issued_documents WHERE kind = $1 AND case_id = $2 AND lang = $3`, kind, caseID, lang))
}

// ByID returns an issued document.
func (is *Issuer) ByID(ctx context.Context, id int64) (Issued, error) {
	return scan(is.DB.QueryRow(ctx, `SELECT `+columns+` FROM issued_documents WHERE id = $1`, id))
}
