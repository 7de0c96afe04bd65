package cabinet

import (
	"crypto/rand"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/printout"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/web"
)

type quotaListPage struct {
	web.Page
	Applications []*quota.Application
	Cells        []quota.Cell
	Year         int
	Names        map[string]string // region and major-group names by code
}

// listQuota is the archive of the employer's quota applications (S3),
// with the ledger's remaining figures for the year.
func (h *Handler) listQuota(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	apps, err := h.Quotas.ByCabinet(ctx, web.User(ctx).ID)
	if err != nil {
		return err
	}
	year := quota.ThisYear(h.Kit.Now())
	cells, err := h.Quotas.Remaining(ctx, year)
	if err != nil {
		return err
	}
	p := &quotaListPage{Page: h.Kit.Page(r, "quota.title"), Applications: apps, Cells: cells, Year: year}
	if p.Names, err = classifier.RegionAndGroupNames(ctx, h.DB, h.Occupations, p.Lang); err != nil {
		return err
	}
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/quota_list", p)
}

type quotaFormPage struct {
	web.Page
	Rows      []int // indexes of the row fields shown
	Years     []web.Option
	Regions   []web.Option
	Countries []web.Option
}

func (h *Handler) renderQuotaForm(w http.ResponseWriter, r *http.Request, status int, form *web.Form, rows int) error {
	ctx := r.Context()
	p := &quotaFormPage{Page: h.Kit.Page(r, "quota.new")}
	p.Form = form
	if form.Get("request") == "" { // the form's id, kept across its errors and added rows
		form.Values.Set("request", rand.Text())
	}
	for i := range rows {
		p.Rows = append(p.Rows, i)
	}
	y := quota.ThisYear(h.Kit.Now())
	p.Years = []web.Option{{Value: strconv.Itoa(y), Label: strconv.Itoa(y)}, {Value: strconv.Itoa(y + 1), Label: strconv.Itoa(y + 1)}}
	regions, err := classifier.Regions(ctx, h.DB, p.Lang)
	if err != nil {
		return err
	}
	for _, reg := range regions {
		p.Regions = append(p.Regions, web.Option{Value: reg.Code, Label: reg.Name})
	}
	countries, err := classifier.Countries(ctx, h.DB, p.Lang)
	if err != nil {
		return err
	}
	for _, c := range countries {
		p.Countries = append(p.Countries, web.Option{Value: c.Code, Label: c.Name})
	}
	return h.Kit.Render(w, r, status, "cabinet/quota_form", p)
}

func (h *Handler) showNewQuota(w http.ResponseWriter, r *http.Request) error {
	return h.renderQuotaForm(w, r, http.StatusOK, web.NewForm(url.Values{}), 1)
}

// rowCount is how many rows the submitted form had.
func rowCount(v url.Values) int {
	n := 0
	for n < 50 && v.Has("rows-"+strconv.Itoa(n)+"-country") {
		n++
	}
	return max(n, 1)
}

// createQuota sends the application — or saves it as a draft, or, with
// "add a row" (the green plus, which works without JavaScript), shows the
// form again with one more row and everything typed kept.
func (h *Handler) createQuota(w http.ResponseWriter, r *http.Request) error {
	if err := mayCommit(r); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	n := rowCount(r.PostForm)
	if form.Get("action") == "add_row" {
		return h.renderQuotaForm(w, r, http.StatusOK, form, n+1)
	}
	var rows []quota.Row
	for i := range n {
		p := "rows-" + strconv.Itoa(i) + "-"
		occ := strings.TrimSpace(form.Get(p + "occupation"))
		if code, _, ok := strings.Cut(occ, " "); ok {
			occ = code // "7112 Bricklayers…" from the autocomplete
		}
		requested, _ := strconv.Atoi(strings.TrimSpace(form.Get(p + "requested")))
		if form.Get(p+"country") == "" && occ == "" && requested == 0 && n > 1 {
			continue // an empty extra row
		}
		if h.Occupations.ByCode(occ) == nil {
			occ = "" // not a code of the classifier
		}
		rows = append(rows, quota.Row{Country: form.Get(p + "country"), Occupation: occ, Requested: requested, Justification: form.Get(p + "justification")})
	}
	year, _ := strconv.Atoi(form.Get("year"))
	a := actor(r)
	var id int64
	var err error
	flash := "quota.saved"
	if form.Get("action") == "send" { // Send (SERVICES.md S3): no draft step
		flash = "quota.sent"
		id, err = h.Quotas.Send(r.Context(), web.User(r.Context()).ID, year, form.Get("region"), rows, form.Get("request"), a)
	} else {
		id, err = h.Quotas.Apply(r.Context(), web.User(r.Context()).ID, year, form.Get("region"), rows, a)
	}
	if err != nil {
		if !form.SetErrors(err) {
			return err
		}
		return h.renderQuotaForm(w, r, http.StatusUnprocessableEntity, form, n)
	}
	h.Kit.Flash(r, flash)
	return web.Redirect(w, r, "/cabinet/quota/"+strconv.FormatInt(id, 10))
}

type quotaPage struct {
	web.Page
	App        *quota.Application
	Documents  []document.Document
	RegionName string
	Countries  map[string]string
	Titles     map[string]string
}

// ownQuota loads one of the cabinet's own applications.
func (h *Handler) ownQuota(r *http.Request) (*quota.Application, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	a, err := h.Quotas.ByCase(r.Context(), h.DB, id)
	if err != nil {
		return nil, err
	}
	if a.Case.CabinetID != web.User(r.Context()).ID {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	return a, nil
}

func (h *Handler) showQuota(w http.ResponseWriter, r *http.Request) error {
	a, err := h.ownQuota(r)
	if err != nil {
		return err
	}
	return h.renderQuota(w, r, http.StatusOK, a, web.NewForm(nil))
}

func (h *Handler) renderQuota(w http.ResponseWriter, r *http.Request, status int, a *quota.Application, form *web.Form) error {
	p := &quotaPage{Page: h.Kit.Page(r, "quota.application"), App: a}
	p.Form = form
	if err := h.quotaNames(r, p); err != nil {
		return err
	}
	docs, err := h.Documents.ByCase(r.Context(), a.Case.ID)
	if err != nil {
		return err
	}
	p.Documents = docs
	return h.Kit.Render(w, r, status, "cabinet/quota", p)
}

// addQuotaDocument attaches a document the ministry asked for.
func (h *Handler) addQuotaDocument(w http.ResponseWriter, r *http.Request) error {
	a, err := h.ownQuota(r)
	if err != nil {
		return err
	}
	if !a.Case.Open() {
		return apperr.New(apperr.Conflict, "case.already_decided")
	}
	return h.addCaseDocument(w, r, a.Case.CabinetID, a.Case.ID, "/cabinet/quota/"+r.PathValue("id"), func(form *web.Form) error {
		return h.renderQuota(w, r, http.StatusUnprocessableEntity, a, form)
	})
}

// addCaseDocument attaches the file of an application's "Attach" form
// (while the application takes documents) and redirects to back; a
// refused or missing file is shown at its field by again.
func (h *Handler) addCaseDocument(w http.ResponseWriter, r *http.Request, cabinetID, caseID int64, back string, again func(*web.Form) error) error {
	act := actor(r)
	added := false
	_, _, fe, err := web.ParseMultipart(w, r, func(p web.FilePart) (web.Upload, error) {
		if p.Field != "file" {
			return web.Upload{}, apperr.New(apperr.Invalid, "upload.bad_form")
		}
		d, err := h.Documents.AddToCase(r.Context(), cabinetID, caseID, p.Filename, p.ContentType, p.Body, act)
		added = err == nil
		return web.Upload{ID: d.ID, Name: d.Filename, Size: d.Size}, err
	}, nil)
	if err != nil {
		return err
	}
	if !added && len(fe) == 0 {
		fe.Add("file", "upload.choose_file")
	}
	if len(fe) > 0 {
		form := web.NewForm(nil)
		form.Errors = fe
		return again(form)
	}
	h.Kit.Flash(r, "quota.document_added")
	return web.Redirect(w, r, back)
}

// quotaNames puts the names of the region, countries and occupations of
// an application in the page's language.
func (h *Handler) quotaNames(r *http.Request, p *quotaPage) error {
	ctx := r.Context()
	regions, err := classifier.Regions(ctx, h.DB, p.Lang)
	if err != nil {
		return err
	}
	for _, reg := range regions {
		if reg.Code == p.App.Region {
			p.RegionName = reg.Name
		}
	}
	p.Countries, p.Titles = map[string]string{}, map[string]string{}
	for _, row := range p.App.Rows {
		p.Countries[row.Country] = classifier.CountryName(ctx, h.DB, row.Country, p.Lang)
		if o := h.Occupations.ByCode(row.Occupation); o != nil {
			p.Titles[row.Occupation] = o.Code + " " + o.Title(p.Lang)
		}
	}
	return nil
}

// submitQuota sends the draft (or resubmits after documents were asked).
func (h *Handler) submitQuota(w http.ResponseWriter, r *http.Request) error {
	if err := mayCommit(r); err != nil {
		return err
	}
	a, err := h.ownQuota(r)
	if err != nil {
		return err
	}
	act := actor(r)
	if err := h.Quotas.Submit(r.Context(), a.Case.CabinetID, a.Case.ID, act); err != nil {
		return err
	}
	h.Kit.Flash(r, "quota.sent")
	return web.Redirect(w, r, "/cabinet/quota/"+r.PathValue("id"))
}

// quotaExtract downloads the extract from the protocol, issued once per
// language: downloading again gives the same bytes, which the QR's page
// describes by their SHA-256.
func (h *Handler) quotaExtract(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := h.ownQuota(r)
	if err != nil {
		return err
	}
	if a.Case.Status != casework.Decided {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	l := web.Localizer(ctx)
	p := &quotaPage{Page: h.Kit.Page(r, "quota.application"), App: a}
	if err := h.quotaNames(r, p); err != nil {
		return err
	}
	c, err := account.ByID(ctx, h.DB, a.Case.CabinetID)
	if err != nil {
		return err
	}
	e := printout.QuotaExtract{ProtocolNumber: a.ProtocolNumber, ProtocolDate: a.ProtocolDate, CaseNumber: a.Case.Number,
		Employer: c.DisplayName(), INN: c.Employer.INN, Year: a.Year, Region: p.RegionName}
	for _, row := range a.Rows {
		x := printout.ExtractRow{Country: p.Countries[row.Country], Occupation: p.Titles[row.Occupation], Requested: row.Requested}
		if row.Approved != nil {
			x.Approved = *row.Approved
		}
		if row.CutReason != "" {
			x.Reason = l.T("quota.reason." + row.CutReason)
		}
		e.Rows = append(e.Rows, x)
	}
	_, pdf, err := h.Issuer.Issue(ctx, "quota_extract", a.Case.ID, l.Lang, func(w2 io.Writer, verifyURL string) error {
		e.VerifyURL = verifyURL
		return printout.WriteQuotaExtract(w2, e, l)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+a.Case.Number+`.pdf"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(pdf)
	return err
}

// withdrawQuota ends the application before the decision.
func (h *Handler) withdrawQuota(w http.ResponseWriter, r *http.Request) error {
	if err := mayCommit(r); err != nil {
		return err
	}
	a, err := h.ownQuota(r)
	if err != nil {
		return err
	}
	act := actor(r)
	if err := h.Quotas.Withdraw(r.Context(), a.Case.CabinetID, a.Case.ID, act); err != nil {
		return err
	}
	h.Kit.Flash(r, "quota.withdrawn")
	return web.Redirect(w, r, "/cabinet/quota/"+r.PathValue("id"))
}
