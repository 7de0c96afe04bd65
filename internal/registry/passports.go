// Package registry consults the state registries the portal does not own:
// today the registry of foreign citizens, looked up by travel document
// (docs/registries.md).
//
// Each registry sits behind an interface with two implementations: a
// deterministic demo registry of synthetic people, for development,
// training and tests, and an HTTP client for the JSON contract in
// docs/registries.md. The demo's people carry Demo = true, and every page
// or printout that shows one marks it as demo data, so synthetic data is
// never taken for a real person's record.
//
// Callers audit every look-up (who asked, about whom, why) in
// registry_lookups. Passport numbers are personal data: neither this
// package's errors nor its callers' logs ever contain one.
package registry

import (
	"context"
	"errors"
	"strings"
	"unicode"
)

// ErrNotFound means the registry has no person with that document.
var ErrNotFound = errors.New("registry: no such record")

// Result names what came of a look-up, for the record of it: "found",
// "not_found" (ErrNotFound) or "unavailable" (any other error).
func Result(err error) string {
	switch {
	case err == nil:
		return "found"
	case errors.Is(err, ErrNotFound):
		return "not_found"
	}
	return "unavailable"
}

// ErrUnavailable means the registry gave no usable answer: a transport
// error, a timeout, a 5xx status or an unreadable answer. Errors wrap it
// together with the cause; the portal may ask again later, but must not
// treat the person as unknown.
var ErrUnavailable = errors.New("registry: unavailable")

// Passports looks up foreign citizens by travel document.
type Passports interface {
	// Passport returns the holder of document number issued by country
	// (ISO 3166-1 alpha-2). The number is normalized first (NormalizeNumber).
	Passport(ctx context.Context, country, number string) (*Foreigner, error)
}

// Foreigner is a foreign citizen as the registry knows them.
type Foreigner struct {
	Country                        string // ISO 3166-1 alpha-2 of the document's issuing country
	Number                         string // normalized document number
	Surname, GivenName, Patronymic string // Latin, as in the machine-readable zone
	Sex                            string // "M" or "F"
	BirthDate                      string // YYYY-MM-DD
	Citizenship                    string // ISO 3166-1 alpha-2
	IssuedOn                       string // YYYY-MM-DD
	ExpiresOn                      string // YYYY-MM-DD
	Bans                           []Ban
	Permits                        []Permit // work permits the registry knows (issued by any office, this portal's included or not)
	Demo                           bool     // true for the demo registry's synthetic people: pages mark them as demo data
}

// Ban is an entry ban.
type Ban struct {
	From  string // YYYY-MM-DD
	Until string // YYYY-MM-DD, "" = indefinite
	Basis string // the legal basis as the registry states it
}

// Permit is a work permit.
type Permit struct {
	Number       string
	ValidFrom    string // YYYY-MM-DD
	ValidUntil   string // YYYY-MM-DD
	RevokedOn    string // YYYY-MM-DD, "" when not revoked
	RevokeReason string
}

// Dates are YYYY-MM-DD throughout, so comparing the strings compares the days.

// BannedOn returns the ban in force on day (YYYY-MM-DD), or nil. A ban is
// in force from its From day through its Until day, both included.
func (f *Foreigner) BannedOn(day string) *Ban {
	if f == nil {
		return nil
	}
	for i, b := range f.Bans {
		if b.From <= day && (b.Until == "" || day <= b.Until) {
			return &f.Bans[i]
		}
	}
	return nil
}

// PermitOn returns a permit valid (not revoked, ValidFrom <= day <= ValidUntil)
// on day, or nil. A permit revoked after day was still valid on day. When
// several are valid, the one valid longest is returned.
func (f *Foreigner) PermitOn(day string) *Permit {
	if f == nil {
		return nil
	}
	var best *Permit
	for i, p := range f.Permits {
		revoked := p.RevokedOn != "" && p.RevokedOn <= day
		if revoked || day < p.ValidFrom || p.ValidUntil < day {
			continue
		}
		if best == nil || best.ValidUntil < p.ValidUntil {
			best = &f.Permits[i]
		}
	}
	return best
}

// Revocations returns the permits that were revoked, in the registry's order.
func (f *Foreigner) Revocations() []Permit {
	if f == nil {
		return nil
	}
	var out []Permit
	for _, p := range f.Permits {
		if p.RevokedOn != "" {
			out = append(out, p)
		}
	}
	return out
}

// NormalizeNumber upper-cases a document number and drops spaces, hyphens
// and every other rune that is not a letter or a digit, as people type
// numbers with separators: "aa 123-4567" → "AA1234567".
func NormalizeNumber(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.ToUpper(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ValidNumber reports whether s, once normalized, is 5 to 20 Latin letters
// A-Z and digits: the shape of travel document numbers. Cyrillic look-alikes
// (А, В, Е, …) are not Latin and make a number invalid.
func ValidNumber(s string) bool {
	n := NormalizeNumber(s)
	if len(n) < 5 || len(n) > 20 {
		return false
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// normalizeCountry upper-cases an alpha-2 code; ok is false when it is not
// two Latin letters.
func normalizeCountry(s string) (code string, ok bool) {
	code = strings.ToUpper(strings.TrimSpace(s))
	return code, len(code) == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z'
}
