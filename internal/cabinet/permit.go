package cabinet

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/printout"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/web"
)

type permitListPage struct {
	web.Page
	Applications []*permit.Application
	Names        map[int64]permitNames
	Today        string
}

// listPermits is the archive of permit applications (S4 E, FIE C).
func (h *Handler) listPermits(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	apps, err := h.Permits.ByCabinet(ctx, web.User(ctx).ID)
	if err != nil {
		return err
	}
	p := &permitListPage{Page: h.Kit.Page(r, "permit.title"), Applications: apps, Names: map[int64]permitNames{}, Today: permit.Today(h.Kit.Now())}
	for _, a := range apps {
		p.Names[a.Case.ID] = h.names(ctx, p.Lang, "", "", a.Region, a.Occupation)
	}
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/permit_list", p)
}

// ownPermit loads one of the cabinet's own applications.
func (h *Handler) ownPermit(r *http.Request) (*permit.Application, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	return h.Permits.OfCabinet(r.Context(), web.User(r.Context()).ID, id)
}

type permitPage struct {
	web.Page
	App        *permit.Application
	Names      permitNames
	Documents  []document.Document
	Extensions []*permit.Extension
	Today      string
	Opens      string // the extension window
	Closes     string
	Positions  []web.Option // an employer's allocations, on the form
}

func (h *Handler) permitPage(r *http.Request, a *permit.Application, title string) (*permitPage, error) {
	ctx := r.Context()
	p := &permitPage{Page: h.Kit.Page(r, title), App: a, Today: permit.Today(h.Kit.Now())}
	p.Names = h.names(ctx, p.Lang, a.Holder.Country, a.Holder.Citizenship, a.Region, a.Occupation)
	var err error
	if p.Documents, err = h.Documents.ByCase(ctx, a.Case.ID); err != nil {
		return nil, err
	}
	if p.Extensions, err = h.Permits.Extensions(ctx, a.Case.ID); err != nil {
		return nil, err
	}
	p.Opens, p.Closes = permit.Window(a.ValidUntil)
	return p, nil
}

// showPermit is an application: what was sent (or is to be sent), the
// ministry's answer, documents, and Print once issued and valid.
func (h *Handler) showPermit(w http.ResponseWriter, r *http.Request) error {
	a, err := h.ownPermit(r)
	if err != nil {
		return err
	}
	return h.renderPermit(w, r, http.StatusOK, a, web.NewForm(nil))
}

func (h *Handler) renderPermit(w http.ResponseWriter, r *http.Request, status int, a *permit.Application, form *web.Form) error {
	p, err := h.permitPage(r, a, "permit.application")
	if err != nil {
		return err
	}
	p.Form = form
	return h.Kit.Render(w, r, status, "cabinet/permit", p)
}

// showPermitForm is the application form, filled with what was saved.
func (h *Handler) showPermitForm(w http.ResponseWriter, r *http.Request) error {
	a, err := h.ownPermit(r)
	if err != nil {
		return err
	}
	v := url.Values{}
	if a.QuotaRowID != 0 {
		v.Set("quota_row", strconv.FormatInt(a.QuotaRowID, 10))
	}
	v.Set("workplace", a.Workplace)
	if a.Salary > 0 {
		v.Set("salary", strconv.Itoa(a.Salary))
	}
	setDate(v, "period_from", a.PeriodFrom)
	setDate(v, "period_to", a.PeriodTo)
	return h.renderPermitForm(w, r, http.StatusOK, a, web.NewForm(v))
}

// setDate fills the day, month and year inputs of a date field.
func setDate(v url.Values, name, date string) {
	if y, md, ok := strings.Cut(date, "-"); ok {
		if m, d, ok := strings.Cut(md, "-"); ok {
			v.Set(name+"-year", y)
			v.Set(name+"-month", strings.TrimPrefix(m, "0"))
			v.Set(name+"-day", strings.TrimPrefix(d, "0"))
		}
	}
}

func (h *Handler) renderPermitForm(w http.ResponseWriter, r *http.Request, status int, a *permit.Application, form *web.Form) error {
	ctx := r.Context()
	if a.Case.Status != "draft" && a.Case.Status != "documents_requested" {
		return apperr.New(apperr.Conflict, "case.already_changed")
	}
	p, err := h.permitPage(r, a, "permit.form.title")
	if err != nil {
		return err
	}
	p.Form = form
	if a.Applicant == permit.ByEmployer {
		rows, err := quota.Allocations(ctx, h.DB, a.Case.CabinetID, a.Year, a.Holder.Citizenship)
		if err != nil {
			return err
		}
		for _, row := range rows {
			if row.Left() > 0 || row.RowID == a.QuotaRowID {
				p.Positions = append(p.Positions, web.Option{Value: strconv.FormatInt(row.RowID, 10), Label: h.allocationLabel(ctx, p.L, row)})
			}
		}
	}
	return h.Kit.Render(w, r, status, "cabinet/permit_form", p)
}

// savePermitForm records the form; files sent with it are attached at
// once, so they stay even when a field has to be corrected.
func (h *Handler) savePermitForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := h.ownPermit(r)
	if err != nil {
		return err
	}
	act := actor(r)
	values, _, fe, err := web.ParseMultipart(w, r, func(p web.FilePart) (web.Upload, error) {
		if p.Field != "file" {
			return web.Upload{}, apperr.New(apperr.Invalid, "upload.bad_form")
		}
		d, err := h.Documents.AddToCase(ctx, a.Case.CabinetID, a.Case.ID, p.Filename, p.ContentType, p.Body, act)
		return web.Upload{ID: d.ID, Name: d.Filename, Size: d.Size}, err
	}, nil)
	if err != nil {
		return err
	}
	form := web.NewForm(values) // files sent are attached already: the page lists them
	row, _ := strconv.ParseInt(form.Get("quota_row"), 10, 64)
	salary, err := strconv.Atoi(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' || r == '\'' {
			return -1 // "45 000", with any space a keyboard or a number format puts
		}
		return r
	}, form.Get("salary")))
	if err != nil {
		salary = -1
	}
	d := permit.Details{QuotaRowID: row, Workplace: form.Get("workplace"), Salary: salary,
		PeriodFrom: web.DateValue(values, "period_from"), PeriodTo: web.DateValue(values, "period_to")}
	if err := fe.Merge(h.Permits.Save(ctx, a.Case.CabinetID, a.Case.ID, d, act)); err != nil {
		return err
	}
	if len(fe) > 0 {
		form.Errors = fe
		return h.renderPermitForm(w, r, http.StatusUnprocessableEntity, a, form)
	}
	h.Kit.Flash(r, "permit.saved")
	return web.Redirect(w, r, "/cabinet/permits/"+r.PathValue("id"))
}

// addPermitDocument attaches a document (while the application takes them).
func (h *Handler) addPermitDocument(w http.ResponseWriter, r *http.Request) error {
	a, err := h.ownPermit(r)
	if err != nil {
		return err
	}
	return h.addCaseDocument(w, r, a.Case.CabinetID, a.Case.ID, "/cabinet/permits/"+r.PathValue("id"), func(form *web.Form) error {
		return h.renderPermit(w, r, http.StatusUnprocessableEntity, a, form)
	})
}

// submitPermit is Send application.
func (h *Handler) submitPermit(w http.ResponseWriter, r *http.Request) error {
	if err := mayCommit(r); err != nil {
		return err
	}
	a, err := h.ownPermit(r)
	if err != nil {
		return err
	}
	if a.Case.Status == "submitted" { // a second click on Send: it was sent
		return web.Redirect(w, r, "/cabinet/permits/"+r.PathValue("id"))
	}
	if err := h.Permits.Submit(r.Context(), a.Case.CabinetID, a.Case.ID, actor(r)); err != nil {
		form := web.NewForm(nil)
		if form.SetErrors(err) {
			return h.renderPermit(w, r, http.StatusUnprocessableEntity, a, form)
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict {
			if now, err := h.ownPermit(r); err == nil && now.Case.Status == "submitted" {
				return web.Redirect(w, r, "/cabinet/permits/"+r.PathValue("id")) // two clicks at once: one sent it
			}
			form.Errors.Add("form", e.Key, e.Args)
			return h.renderPermit(w, r, http.StatusConflict, a, form)
		}
		return err
	}
	h.Kit.Flash(r, "permit.sent")
	return web.Redirect(w, r, "/cabinet/permits/"+r.PathValue("id"))
}

// withdrawPermit ends the application before the decision.
func (h *Handler) withdrawPermit(w http.ResponseWriter, r *http.Request) error {
	if err := mayCommit(r); err != nil {
		return err
	}
	a, err := h.ownPermit(r)
	if err != nil {
		return err
	}
	if err := h.Permits.Withdraw(r.Context(), a.Case.CabinetID, a.Case.ID, actor(r)); err != nil {
		return err
	}
	h.Kit.Flash(r, "quota.withdrawn")
	return web.Redirect(w, r, "/cabinet/permits/"+r.PathValue("id"))
}

// printPermit is Print: the permit as PDF, while it is issued and valid,
// issued once per language and end date (an extension prints anew).
func (h *Handler) printPermit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := h.ownPermit(r)
	if err != nil {
		return err
	}
	if !a.Printable(permit.Today(h.Kit.Now())) {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	l := web.Localizer(ctx)
	c, err := account.ByID(ctx, h.DB, a.Case.CabinetID)
	if err != nil {
		return err
	}
	n := h.names(ctx, l.Lang, a.Holder.Country, a.Holder.Citizenship, a.Region, a.Occupation)
	employer := l.T("permitpdf.fie", map[string]any{"Name": c.DisplayName()})
	if c.Employer != nil {
		employer = c.Employer.OrgName + ", " + l.T("extract.inn") + " " + c.Employer.INN
	}
	pp := printout.Permit{Number: a.PermitNumber, CaseNumber: a.Case.Number, Holder: a.Holder.Name(), BirthDate: a.Holder.BirthDate,
		Citizenship: n.Citizenship, Passport: a.Holder.Number, Employer: employer, Occupation: n.Occupation, Region: n.Region,
		Workplace: a.Workplace, ValidFrom: a.ValidFrom, ValidUntil: a.ValidUntil, Demo: a.Holder.Demo}
	if a.IssuedAt != nil {
		pp.IssuedOn = permit.Today(*a.IssuedAt)
	}
	_, pdf, err := h.Issuer.Issue(ctx, "permit@"+a.ValidUntil, a.Case.ID, l.Lang, func(w2 io.Writer, verifyURL string) error {
		pp.VerifyURL = verifyURL
		return printout.WritePermit(w2, pp, l)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+a.PermitNumber+`.pdf"`)
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(pdf)
	return err
}

func (h *Handler) showExtendPermit(w http.ResponseWriter, r *http.Request) error {
	a, err := h.ownPermit(r)
	if err != nil {
		return err
	}
	if a.Case.Status != permit.Issued {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	return h.renderExtend(w, r, http.StatusOK, a, web.NewForm(url.Values{}))
}

func (h *Handler) renderExtend(w http.ResponseWriter, r *http.Request, status int, a *permit.Application, form *web.Form) error {
	p, err := h.permitPage(r, a, "permit.extend.title")
	if err != nil {
		return err
	}
	p.Form = form
	return h.Kit.Render(w, r, status, "cabinet/permit_extend", p)
}

// extendPermit asks for the permit to end later.
func (h *Handler) extendPermit(w http.ResponseWriter, r *http.Request) error {
	if err := mayCommit(r); err != nil {
		return err
	}
	a, err := h.ownPermit(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	_, err = h.Permits.RequestExtension(r.Context(), a.Case.CabinetID, a.Case.ID, web.DateValue(r.PostForm, "new_until"), form.Get("reason"), actor(r))
	if err != nil {
		if form.SetErrors(err) {
			return h.renderExtend(w, r, http.StatusUnprocessableEntity, a, form)
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict {
			form.Errors.Add("new_until", e.Key, e.Args)
			return h.renderExtend(w, r, http.StatusConflict, a, form)
		}
		return err
	}
	h.Kit.Flash(r, "permit.extension_sent")
	return web.Redirect(w, r, "/cabinet/permits/"+r.PathValue("id"))
}
