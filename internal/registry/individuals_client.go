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

	"github.com/emgek/emgek/internal/kzid"
)

// IndividualsClient looks up individuals in Kazakhstan's state database of
// individuals over HTTP, by the contract in docs/registries.md.
type IndividualsClient struct {
	BaseURL string       // e.g. https://registry.example/api; no trailing slash needed
	Token   string       // sent as "Authorization: Bearer <token>" when not empty
	HTTP    *http.Client // nil → a client with a 5 s timeout
}

// OrganisationsClient looks up legal entities in Kazakhstan's state
// register of legal entities over HTTP, by the contract in
// docs/registries.md.
type OrganisationsClient struct {
	BaseURL string       // e.g. https://registry.example/api; no trailing slash needed
	Token   string       // sent as "Authorization: Bearer <token>" when not empty
	HTTP    *http.Client // nil → a client with a 5 s timeout
}

// Individual asks GET {BaseURL}/v1/individuals/{iin}. An iin that is not a
// valid IIN (kzid.ParseIIN, after white space is removed) is ErrNotFound
// without asking. A 404 is ErrNotFound only with the contract's
// {"error":"not_found"} body; anything else that is not a usable 200 is
// ErrUnavailable.
func (c *IndividualsClient) Individual(ctx context.Context, iin string) (*Individual, error) {
	p, err := kzid.ParseIIN(iin)
	if err != nil {
		return nil, ErrNotFound
	}
	l := lookup{what: "individual", secret: p.Number, placeholder: "[iin]"}
	body, err := l.get(ctx, c.BaseURL, c.Token, c.HTTP, "/v1/individuals/"+url.PathEscape(p.Number))
	if err != nil {
		return nil, err
	}
	ind, err := decodeIndividual(body)
	if err != nil {
		return nil, l.unavailable("status 200: %w", err)
	}
	if ind.IIN != p.Number {
		return nil, l.unavailable("status 200: answer is about another person")
	}
	return ind, nil
}

// Organisation asks GET {BaseURL}/v1/organisations/{bin}. A bin that is not
// a valid BIN (kzid.ParseBIN, after white space is removed) is ErrNotFound
// without asking; 404 and errors as for Individual.
func (c *OrganisationsClient) Organisation(ctx context.Context, bin string) (*Organisation, error) {
	b, err := kzid.ParseBIN(bin)
	if err != nil {
		return nil, ErrNotFound
	}
	l := lookup{what: "organisation", secret: b.Number, placeholder: "[bin]"}
	body, err := l.get(ctx, c.BaseURL, c.Token, c.HTTP, "/v1/organisations/"+url.PathEscape(b.Number))
	if err != nil {
		return nil, err
	}
	o, err := decodeOrganisation(body)
	if err != nil {
		return nil, l.unavailable("status 200: %w", err)
	}
	if o.BIN != b.Number {
		return nil, l.unavailable("status 200: answer is about another organisation")
	}
	return o, nil
}

// lookup is one look-up by an identifier that must stay out of errors.
type lookup struct {
	what        string // "individual", "organisation": names the look-up in errors
	secret      string // the identifier asked about
	placeholder string // what replaces it in error messages
}

// get asks base+path and returns the body of a 200. A 404 with the
// contract's body is ErrNotFound; everything else is ErrUnavailable.
func (l lookup) get(ctx context.Context, base, token string, hc *http.Client, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+path, nil)
	if err != nil {
		return nil, l.unavailable("%w", err)
	}
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		// *url.Error quotes the URL, and the URL holds the identifier.
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, l.unavailable("%w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		return nil, l.unavailable("status %d: reading the answer: %w", resp.StatusCode, err)
	}
	if len(body) > maxAnswer {
		return nil, l.unavailable("status %d: answer larger than 1 MiB", resp.StatusCode)
	}
	switch resp.StatusCode {
	case http.StatusOK:
		return body, nil
	case http.StatusNotFound:
		var e struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error == "not_found" {
			return nil, ErrNotFound
		}
		return nil, l.unavailable("status 404 without the contract's not_found answer")
	default:
		return nil, l.unavailable("status %d", resp.StatusCode)
	}
}

// unavailable wraps ErrUnavailable and the cause under a message that
// never contains the identifier, whatever the cause says.
func (l lookup) unavailable(format string, args ...any) error {
	err := fmt.Errorf("%w: "+l.what+" look-up: "+format, append([]any{ErrUnavailable}, args...)...)
	if msg := err.Error(); strings.Contains(msg, l.secret) {
		return &redacted{msg: strings.ReplaceAll(msg, l.secret, l.placeholder), err: err}
	}
	return err
}

// individualJSON is the contract's answer. Absent and null fields decode
// as "" and unknown fields are ignored, so the registry may add fields.
type individualJSON struct {
	IIN         string `json:"iin"`
	Surname     string `json:"surname"`
	GivenName   string `json:"given_name"`
	Patronymic  string `json:"patronymic"`
	BirthDate   string `json:"birth_date"`
	Sex         string `json:"sex"`
	Citizenship string `json:"citizenship"`
	Address     string `json:"address"`
	Deceased    string `json:"deceased"`
	Family      []struct {
		Relation string `json:"relation"`
		IIN      string `json:"iin"`
		Name     string `json:"name"`
	} `json:"family"`
}

// dateCheck collects the first malformed date's field name: dates are
// compared as strings, so one in another shape makes the answer unreadable.
type dateCheck struct{ bad string }

func (d *dateCheck) date(name, v string) string {
	if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil && d.bad == "" {
		d.bad = name
	}
	return v
}

// required returns an error naming the first empty field.
func required(fields ...[2]string) error {
	for _, f := range fields {
		if f[1] == "" {
			return fmt.Errorf("answer lacks %s", f[0])
		}
	}
	return nil
}

// decodeIndividual decodes and checks a 200 answer. Its errors name
// fields, never values.
func decodeIndividual(body []byte) (*Individual, error) {
	var p individualJSON
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("unreadable answer: %w", err)
	}
	if err := required([2]string{"iin", p.IIN}, [2]string{"surname", p.Surname}, [2]string{"birth_date", p.BirthDate}); err != nil {
		return nil, err
	}
	var d dateCheck
	ind := &Individual{
		IIN: p.IIN, Surname: p.Surname, GivenName: p.GivenName, Patronymic: p.Patronymic,
		BirthDate: d.date("birth_date", p.BirthDate), Sex: p.Sex, Citizenship: strings.ToUpper(p.Citizenship),
		Address: p.Address, Deceased: d.date("deceased", p.Deceased),
	}
	for _, r := range p.Family {
		ind.Family = append(ind.Family, Relative{Relation: r.Relation, IIN: r.IIN, Name: r.Name})
	}
	if d.bad != "" {
		return nil, fmt.Errorf("answer has a malformed %s", d.bad)
	}
	return ind, nil
}

// organisationJSON is the contract's answer, decoded like individualJSON.
type organisationJSON struct {
	BIN        string `json:"bin"`
	Name       string `json:"name"`
	LegalForm  string `json:"legal_form"`
	Address    string `json:"address"`
	HeadIIN    string `json:"head_iin"`
	HeadName   string `json:"head_name"`
	Registered string `json:"registered"`
	Liquidated string `json:"liquidated"`
}

// decodeOrganisation decodes and checks a 200 answer. Its errors name
// fields, never values.
func decodeOrganisation(body []byte) (*Organisation, error) {
	var p organisationJSON
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("unreadable answer: %w", err)
	}
	if err := required([2]string{"bin", p.BIN}, [2]string{"name", p.Name}, [2]string{"registered", p.Registered}); err != nil {
		return nil, err
	}
	var d dateCheck
	o := &Organisation{
		BIN: p.BIN, Name: p.Name, LegalForm: p.LegalForm, Address: p.Address, HeadIIN: p.HeadIIN, HeadName: p.HeadName,
		Registered: d.date("registered", p.Registered), Liquidated: d.date("liquidated", p.Liquidated),
	}
	if d.bad != "" {
		return nil, fmt.Errorf("answer has a malformed %s", d.bad)
	}
	return o, nil
}
