package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client looks up foreigners in the state registry over HTTP, by the
// contract in docs/registries.md.
type Client struct {
	BaseURL string       // e.g. https://registry.example/api; no trailing slash needed
	Token   string       // sent as "Authorization: Bearer <token>" when not empty
	HTTP    *http.Client // nil → a client with a 5 s timeout
}

var defaultHTTP = &http.Client{Timeout: 5 * time.Second}

// maxAnswer bounds what is read of an answer: a person is a few kilobytes.
const maxAnswer = 1 << 20

// Passport asks GET {BaseURL}/v1/passports/{country}/{number}. A country
// that is not two letters or a number that is not ValidNumber is
// ErrNotFound without asking: no document has it. A 404 is ErrNotFound
// only with the contract's {"error":"not_found"} body; any other 404 (a
// wrong BaseURL, say) is ErrUnavailable, so a misconfiguration never
// passes for "no such person".
func (c *Client) Passport(ctx context.Context, country, number string) (*Foreigner, error) {
	code, ok := normalizeCountry(country)
	number = NormalizeNumber(number)
	if !ok || !ValidNumber(number) {
		return nil, ErrNotFound
	}
	u := strings.TrimRight(c.BaseURL, "/") + "/v1/passports/" + url.PathEscape(code) + "/" + url.PathEscape(number)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, unavailable(number, "%w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		// *url.Error quotes the URL, and the URL holds the number.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, unavailable(number, "%w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, unavailable(number, "status %d: reading the answer: %w", resp.StatusCode, err)
	}
	if len(body) > maxAnswer {
		return nil, unavailable(number, "status %d: answer larger than 1 MiB", resp.StatusCode)
	}

	switch resp.StatusCode {
	case http.StatusOK:
		f, err := decodePassport(body)
		if err != nil {
			return nil, unavailable(number, "status 200: %w", err)
		}
		if f.Country != code || f.Number != number {
			return nil, unavailable(number, "status 200: answer is about another document")
		}
		return f, nil
	case http.StatusNotFound:
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error == "not_found" {
			return nil, ErrNotFound
		}
		return nil, unavailable(number, "status 404 without the contract's not_found answer")
	default:
		return nil, unavailable(number, "status %d", resp.StatusCode)
	}
}

// passportJSON is the contract's answer. Absent and null fields decode as
// "" and unknown fields are ignored, so the registry may add fields.
type passportJSON struct {
	Country     string `json:"country"`
	Number      string `json:"number"`
	Surname     string `json:"surname"`
	GivenName   string `json:"given_name"`
	Patronymic  string `json:"patronymic"`
	Sex         string `json:"sex"`
	BirthDate   string `json:"birth_date"`
	Citizenship string `json:"citizenship"`
	IssuedOn    string `json:"issued_on"`
	ExpiresOn   string `json:"expires_on"`
	Bans        []struct {
		From  string `json:"from"`
		Until string `json:"until"`
		Basis string `json:"basis"`
	} `json:"bans"`
	Permits []struct {
		Number       string `json:"number"`
		ValidFrom    string `json:"valid_from"`
		ValidUntil   string `json:"valid_until"`
		RevokedOn    string `json:"revoked_on"`
		RevokeReason string `json:"revoke_reason"`
	} `json:"permits"`
}

// decodePassport decodes and checks a 200 answer. Its errors name fields,
// never values.
func decodePassport(body []byte) (*Foreigner, error) {
	var p passportJSON
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("unreadable answer: %w", err)
	}
	for _, req := range []struct{ name, value string }{
		{"country", p.Country}, {"number", p.Number}, {"surname", p.Surname},
		{"birth_date", p.BirthDate}, {"expires_on", p.ExpiresOn}, {"citizenship", p.Citizenship},
	} {
		if req.value == "" {
			return nil, fmt.Errorf("answer lacks %s", req.name)
		}
	}
	// Dates are compared as strings (BannedOn, PermitOn): one in another
	// shape would compare wrongly, so it makes the answer unreadable.
	var bad string // the first malformed date's field
	date := func(name, v string) string {
		if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil && bad == "" {
			bad = name
		}
		return v
	}
	f := &Foreigner{
		Country: strings.ToUpper(p.Country), Number: NormalizeNumber(p.Number),
		Surname: p.Surname, GivenName: p.GivenName, Patronymic: p.Patronymic, Sex: p.Sex,
		BirthDate: date("birth_date", p.BirthDate), Citizenship: strings.ToUpper(p.Citizenship),
		IssuedOn: date("issued_on", p.IssuedOn), ExpiresOn: date("expires_on", p.ExpiresOn),
	}
	for _, b := range p.Bans {
		f.Bans = append(f.Bans, Ban{From: date("bans.from", b.From), Until: date("bans.until", b.Until), Basis: b.Basis})
	}
	for _, q := range p.Permits {
		f.Permits = append(f.Permits, Permit{Number: q.Number, ValidFrom: date("permits.valid_from", q.ValidFrom),
			ValidUntil: date("permits.valid_until", q.ValidUntil), RevokedOn: date("permits.revoked_on", q.RevokedOn),
			RevokeReason: q.RevokeReason})
	}
	if bad != "" {
		return nil, fmt.Errorf("answer has a malformed %s", bad)
	}
	return f, nil
}

// unavailable wraps ErrUnavailable and the cause under a message that
// never contains number, whatever the cause says.
func unavailable(number, format string, args ...any) error {
	err := fmt.Errorf("%w: passport look-up: "+format, append([]any{ErrUnavailable}, args...)...)
	if msg := err.Error(); strings.Contains(msg, number) {
		return &redacted{msg: strings.ReplaceAll(msg, number, "[number]"), err: err}
	}
	return err
}

// redacted is an error whose message has had personal data taken out.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }
