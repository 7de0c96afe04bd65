// Package esign puts Kazakhstan's electronic digital signatures (package
// eds) to work in the portal: single-use login challenges, signatures over
// exactly what a form submits, kept with it for operators, and re-checked
// on request.
//
// Every refusal is audited with its eds code and turned into a message for
// the person at the page (translation id "eds.<code>", at the form's
// "sign" field). Identifiers from certificates (IIN, BIN) stay out of
// audit text; audit rows name a challenge or a signature by id.
package esign

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/eds"
	"github.com/emgek/emgek/internal/throttle"
)

// Refusals this package and its callers add to eds's codes.
const (
	CodeReplayed    = "replayed"     // the challenge was used before, expired, or never issued
	CodeNoPerson    = "no_person"    // the certificate's IIN is no one's in the registry of individuals
	CodeWrongPerson = "wrong_person" // the certificate is someone else's than the account's or the organisation's
)

// How long a login challenge and a signed action's nonce may be signed for.
const (
	ChallengeTTL = 5 * time.Minute
	NonceTTL     = time.Hour
)

// Field is the form field signature problems are reported at: the page's
// "Sign" button.
const Field = "sign"

// Service verifies signatures for logins and signed actions.
type Service struct {
	DB  *db.DB
	Now func() time.Time
	// Throttle, when set, counts refused logins per address (as password
	// logins are): signatures cost a parse and an audit row each.
	Throttle *throttle.Throttle
	// verifier checks CMS against the trusted roots; nil when no roots are
	// configured: certificate login and signing are then off.
	verifier atomic.Pointer[eds.Verifier]
}

// Use sets the verifier: the trusted roots and revocation lists. It may be
// replaced while requests run (fresh CRLs).
func (s *Service) Use(v *eds.Verifier) { s.verifier.Store(v) }

// Enabled reports whether certificates can be checked at all.
func (s *Service) Enabled() bool { return s != nil && s.verifier.Load() != nil }

func (s *Service) off() error { return apperr.Field(Field, "eds.off") }

// Challenge issues the content a login signature must sign: random, used
// once, within ChallengeTTL.
func (s *Service) Challenge(ctx context.Context) (string, error) {
	return s.issue(ctx, "emgek-login:", ChallengeTTL)
}

// Nonce issues a value a signed action's content holds, so that its
// signature is good once, within NonceTTL (time to read what one signs).
func (s *Service) Nonce(ctx context.Context) (string, error) {
	return s.issue(ctx, "emgek-sign:", NonceTTL)
}

func (s *Service) issue(ctx context.Context, prefix string, ttl time.Duration) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	content := prefix + base64.RawURLEncoding.EncodeToString(b)
	now := s.Now().UTC()
	_, err := s.DB.Exec(ctx, `INSERT INTO eds_challenges (hash, created_at, expires_at) VALUES ($1, $2, $3)`,
		hashOf(content), now, now.Add(ttl))
	return content, err
}

func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// Prove uses up a challenge and verifies cms as a login signature over
// it. A challenge used before, expired or never issued is refused as
// "replayed"; every refusal is audited.
func (s *Service) Prove(ctx context.Context, challenge, cms string, by audit.Event) (*eds.Signer, error) {
	if !s.Enabled() {
		return nil, s.off()
	}
	if strings.TrimSpace(cms) == "" { // no JavaScript, or no NCALayer: the challenge stays usable
		return nil, apperr.Field(Field, "eds.need_js")
	}
	key := ""
	if s.Throttle != nil {
		var err error
		if key, err = s.Throttle.ReserveAddress(ctx, "eds", by.IP); err != nil {
			return nil, err
		}
	}
	signer, err := s.prove(ctx, challenge, cms, by)
	if err == nil && key != "" {
		err = s.Throttle.Refund(ctx, key, throttle.AddressPolicy)
	}
	return signer, err
}

func (s *Service) prove(ctx context.Context, challenge, cms string, by audit.Event) (*eds.Signer, error) {
	now := s.Now().UTC()
	id, err := s.use(ctx, challenge, now)
	object := "challenge:" + strconv.FormatInt(id, 10)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.refuse(ctx, now, "challenge:none", eds.Auth, &eds.Error{Code: CodeReplayed}, by)
	}
	if err != nil {
		return nil, err
	}
	signer, err := s.verify(ctx, []byte(cms), []byte(challenge), eds.Auth, now)
	if err != nil {
		return nil, s.refuse(ctx, now, object, eds.Auth, err, by)
	}
	by.Action, by.Object, by.Detail = "eds.login_verified", object, signer.Serial
	if err := audit.Record(ctx, s.DB, now, by); err != nil {
		return nil, err
	}
	return signer, nil
}

// use marks a challenge used; sql.ErrNoRows when it was used before,
// expired or never issued.
func (s *Service) use(ctx context.Context, challenge string, now time.Time) (int64, error) {
	var id int64
	err := s.DB.WriteRow(ctx, `UPDATE eds_challenges SET used_at = $1 WHERE hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING id`,
		now, hashOf(challenge)).Scan(&id)
	return id, err
}

func (s *Service) verify(ctx context.Context, cms, content []byte, p eds.Purpose, at time.Time) (*eds.Signer, error) {
	v := *s.verifier.Load()
	v.Now = func() time.Time { return at }
	return v.Verify(ctx, cms, content, p)
}

// Refuse audits a refusal found by the caller (a certificate of the wrong
// person, say) and returns its message, like the refusals of the checks.
func (s *Service) Refuse(ctx context.Context, object, code string, by audit.Event) error {
	return s.refuse(ctx, s.Now().UTC(), object, eds.Auth, &eds.Error{Code: code}, by)
}

// refuse audits why a signature was refused and returns the message for
// the page. Errors other than a refusal pass through unaudited.
func (s *Service) refuse(ctx context.Context, now time.Time, object string, p eds.Purpose, err error, by audit.Event) error {
	var e *eds.Error
	if !errors.As(err, &e) {
		return err
	}
	by.Action, by.Object, by.Detail = "eds.refused", object, p.String()+" "+e.Code
	if aerr := audit.Record(ctx, s.DB, now, by); aerr != nil {
		return aerr
	}
	return Refusal(e)
}

// Refusal is the message for the page of an eds refusal.
func Refusal(e *eds.Error) error {
	fe := apperr.FieldErrors{}
	fe.Add(Field, "eds."+e.Code, map[string]any{"Detail": e.Detail})
	out := fe.Err().(*apperr.Error)
	out.Err = e
	return out
}

// Code returns the eds code of a refusal made by this package, or "".
func Code(err error) string {
	var e *eds.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Canonical is the canonical JSON (RFC 8785: sorted keys, no white space,
// fixed escaping and numbers) of v: the exact bytes a signed action signs.
func Canonical(v any) ([]byte, error) {
	b, err := json.Marshal(v, json.Deterministic(true))
	if err != nil {
		return nil, err
	}
	val := jsontext.Value(b)
	if err := val.Canonicalize(); err != nil {
		return nil, err
	}
	return val, nil
}

// roles joins a signer's roles for storage.
func roles(s *eds.Signer) string {
	parts := make([]string, len(s.Roles))
	for i, r := range s.Roles {
		parts[i] = string(r)
	}
	return strings.Join(parts, ",")
}
