package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/i18n"
)

// Page is the part of every page's data the layout needs. Page data types
// embed it: type registerPage struct { web.Page; … }.
type Page struct {
	L         *i18n.Localizer
	Lang      string
	TitleKey  string
	Path      string // request path, for the language switch and "next"
	User      *Principal
	Flash     string // translation id of a one-time message
	RequestID string
	Dev       bool
	Form      *Form

	order  []string          // form fields in the order the content shows them
	labels map[string]string // their labels' translation ids
}

// seen records that the content shows a form field, for the summary.
func (p *Page) seen(name, label string) {
	if p.labels == nil {
		p.labels = map[string]string{}
	}
	if _, ok := p.labels[name]; !ok {
		p.order = append(p.order, name)
		p.labels[name] = label
	}
}

// genericProblems are messages that do not name their field: in the
// summary, away from the field, they are prefixed with its label.
var genericProblems = map[string]bool{
	"form.required": true, "form.choose": true, "form.date_invalid": true, "form.too_long": true, "upload.required": true,
}

// SummaryItem is one line of the error summary.
type SummaryItem struct {
	Field   string
	Label   string // translated label of the field, "" when it has none
	Message string
}

// Summary lists the form's problems in the order the fields appear; a
// generic message gets its field's label so the line makes sense alone.
func (p *Page) Summary() []SummaryItem {
	if p.Form == nil || len(p.Form.Errors) == 0 {
		return nil
	}
	names := slices.Clone(p.order)
	for _, n := range p.Form.Errors.Names() {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	var out []SummaryItem
	for _, n := range names {
		e, ok := p.Form.Errors[n]
		if !ok {
			continue
		}
		item := SummaryItem{Field: n, Message: p.L.T(e.Key, e.Args)}
		if l := p.labels[n]; l != "" && genericProblems[e.Key] {
			item.Label = p.L.T(l)
		}
		out = append(out, item)
	}
	return out
}

// Pager is any page data: a struct embedding Page.
type Pager interface{ base() *Page }

func (p *Page) base() *Page { return p }

func (p *Page) finish(r *http.Request) {
	if p.Path == "" {
		p.Path = r.URL.Path
	}
	if p.Form == nil {
		p.Form = &Form{}
	}
}

// Page starts the data of a page with the title's translation id.
func (k *Kit) Page(r *http.Request, titleKey string) Page {
	ctx := r.Context()
	p := Page{
		L:         Localizer(ctx),
		TitleKey:  titleKey,
		Path:      r.URL.RequestURI(),
		User:      User(ctx),
		RequestID: RequestID(ctx),
		Dev:       k.Dev,
	}
	if p.L == nil { // before the language middleware (a refused cross-origin form)
		p.L = k.Catalog.Localizer(k.language(r, nil))
	}
	p.Lang = p.L.Lang
	p.Flash = popFlash(r)
	return p
}

// Form is a submitted form: what was typed (kept on every error) and the
// problems by field.
type Form struct {
	Values url.Values
	Errors apperr.FieldErrors
	Files  map[string][]Upload // accepted files by field, kept across errors
}

// NewForm wraps submitted values.
func NewForm(v url.Values) *Form { return &Form{Values: v} }

// Get returns the submitted value of a field.
func (f *Form) Get(name string) string {
	if f == nil || f.Values == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Error returns the problem of a field, if any.
func (f *Form) Error(name string) (apperr.FieldError, bool) {
	if f == nil {
		return apperr.FieldError{}, false
	}
	e, ok := f.Errors[name]
	return e, ok
}

// SetErrors takes the field errors out of err; it reports false when err
// is not about fields, so the caller returns it instead.
func (f *Form) SetErrors(err error) bool {
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid || len(e.Fields) == 0 {
		return false
	}
	f.Errors = e.Fields
	return true
}

// DateValue joins the day, month and year inputs of a GOV.UK date field
// NAME-day, NAME-month, NAME-year into YYYY-MM-DD; "" when all are empty,
// and an unparseable value (reported as "not a real date") when any part
// is missing or not a number.
func DateValue(v url.Values, name string) string {
	d, m, y := strings.TrimSpace(v.Get(name+"-day")), strings.TrimSpace(v.Get(name+"-month")), strings.TrimSpace(v.Get(name+"-year"))
	if d == "" && m == "" && y == "" {
		return ""
	}
	di, err1 := strconv.Atoi(d)
	mi, err2 := strconv.Atoi(m)
	yi, err3 := strconv.Atoi(y)
	if err1 != nil || err2 != nil || err3 != nil || len(y) != 4 {
		return "invalid"
	}
	s := fmt.Sprintf("%04d-%02d-%02d", yi, mi, di)
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "invalid"
	}
	return s
}
