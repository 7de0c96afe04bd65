package backoffice

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/message"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/web"
)

type permitQueuePage struct {
	web.Page
	Applications []*permit.Application
	Extensions   []*permit.Extension
	Names        map[string]string // regions and occupations by code
	Statuses     []web.Option
	Regions      []web.Option
	Applicants   []web.Option
	Ages         []web.Option
}

// listPermits is the queue of permit applications, the earliest due
// first, with filters in a GET form, and the extension requests waiting.
func (h *Handler) listPermits(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := permit.QueueFilter{Status: casework.Status(q.Get("status")), Region: q.Get("region"),
		Applicant: permit.Applicant(q.Get("applicant")), Overdue: q.Get("age") == "overdue"}
	if f.Applicant != permit.ByEmployer && f.Applicant != permit.ByFIE {
		f.Applicant = ""
	}
	f.OlderThan = h.olderThan(q.Get("age"))
	apps, err := h.Permits.Queue(ctx, f)
	if err != nil {
		return err
	}
	p := &permitQueuePage{Page: h.Kit.Page(r, "office.permit.title"), Applications: apps}
	if p.Extensions, err = h.Permits.Extensions(ctx, 0); err != nil {
		return err
	}
	p.Form = web.NewForm(q)
	if p.Names, err = classifier.RegionAndGroupNames(ctx, h.DB, h.Occupations, p.Lang); err != nil {
		return err
	}
	for _, a := range apps {
		p.Names[a.Occupation] = h.Occupations.Label(a.Occupation, p.Lang)
	}
	for _, st := range permit.Waiting {
		p.Statuses = append(p.Statuses, web.Option{Value: string(st), Label: p.L.T("case.status." + string(st))})
	}
	if p.Regions, err = h.regionOptions(r, p.Lang); err != nil {
		return err
	}
	p.Applicants = []web.Option{{Value: string(permit.ByEmployer), Label: p.L.T("cabinet.kind.employer")},
		{Value: string(permit.ByFIE), Label: p.L.T("cabinet.kind.fie")}}
	p.Ages = ageOptions(p.L)
	return h.Kit.Render(w, r, http.StatusOK, "office/permit_queue", p)
}

type permitCasePage struct {
	web.Page
	App        *permit.Application
	Cabinet    *account.Cabinet
	Review     *permit.Eligibility
	Unchecked  bool // the registry did not answer
	Refusals   []string
	Notes      []string
	Names      map[string]string
	Documents  []document.Document
	Extensions []*permit.Extension
	Today      string
	Reasons    []web.Option
	Revokes    []web.Option
}

func (h *Handler) renderPermit(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := h.Permits.ByCase(ctx, h.DB, id)
	if err != nil {
		return err
	}
	p := &permitCasePage{Page: h.Kit.Page(r, "permit.application"), App: a, Today: permit.Today(h.Kit.Now())}
	p.Form = form
	if p.Cabinet, err = account.ByID(ctx, h.DB, a.Case.CabinetID); err != nil {
		return err
	}
	// The holder as the registry knows them now: audited, like every look-up.
	p.Review, err = h.Permits.Review(ctx, a, by(r))
	if apperr.KindOf(err) == apperr.Unavailable {
		p.Unchecked, err = true, nil
	}
	if err != nil {
		return err
	}
	if p.Review != nil {
		for _, rs := range p.Review.Refusals {
			p.Refusals = append(p.Refusals, p.L.T("permit.refusal."+rs.Code, rs.Args))
		}
		for _, rs := range p.Review.Notes {
			p.Notes = append(p.Notes, p.L.T("permit.refusal."+rs.Code, rs.Args))
		}
	}
	p.Names = map[string]string{
		"country": classifier.CountryName(ctx, h.DB, a.Holder.Country, p.Lang), "citizenship": classifier.CountryName(ctx, h.DB, a.Holder.Citizenship, p.Lang),
		"region": classifier.RegionName(ctx, h.DB, a.Region, p.Lang), "occupation": h.Occupations.Label(a.Occupation, p.Lang)}
	if p.Documents, err = h.Documents.ByCase(ctx, id); err != nil {
		return err
	}
	if p.Extensions, err = h.Permits.Extensions(ctx, id); err != nil {
		return err
	}
	for _, code := range permit.RejectReasons {
		p.Reasons = append(p.Reasons, web.Option{Value: code, Label: p.L.T("permit.reject." + code)})
	}
	for _, code := range permit.RevokeReasons {
		p.Revokes = append(p.Revokes, web.Option{Value: code, Label: p.L.T("permit.revoke." + code)})
	}
	return h.Kit.Render(w, r, status, "office/permit_case", p)
}

func (h *Handler) showPermit(w http.ResponseWriter, r *http.Request) error {
	return h.renderPermit(w, r, http.StatusOK, web.NewForm(nil))
}

// permitAction runs one decision on an application and answers as every
// decision does: a field problem or a conflict on the case page, else
// back to the queue with a flash.
func (h *Handler) permitAction(w http.ResponseWriter, r *http.Request, flash string, act func(id int64, form *web.Form) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	if err := act(id, form); err != nil {
		if form.SetErrors(err) {
			return h.renderPermit(w, r, http.StatusUnprocessableEntity, form)
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict {
			form.Errors.Add("decision", e.Key, e.Args)
			return h.renderPermit(w, r, http.StatusConflict, form)
		}
		return err
	}
	h.Kit.Flash(r, flash)
	return web.Redirect(w, r, "/office/permits/"+strconv.FormatInt(id, 10))
}

func (h *Handler) approvePermit(w http.ResponseWriter, r *http.Request) error {
	return h.permitAction(w, r, "office.permit.approved", func(id int64, _ *web.Form) error {
		return h.Permits.Approve(r.Context(), id, by(r))
	})
}

func (h *Handler) rejectPermit(w http.ResponseWriter, r *http.Request) error {
	return h.permitAction(w, r, "office.permit.rejected", func(id int64, f *web.Form) error {
		return h.Permits.Reject(r.Context(), id, f.Get("reason"), f.Get("note"), by(r))
	})
}

func (h *Handler) issuePermit(w http.ResponseWriter, r *http.Request) error {
	return h.permitAction(w, r, "office.permit.issued", func(id int64, _ *web.Form) error {
		return h.Permits.Issue(r.Context(), id, by(r))
	})
}

func (h *Handler) revokePermit(w http.ResponseWriter, r *http.Request) error {
	return h.permitAction(w, r, "office.permit.revoked", func(id int64, f *web.Form) error {
		return h.Permits.Revoke(r.Context(), id, f.Get("revoke_reason"), f.Get("revoke_note"), by(r))
	})
}

// requestPermitDocuments asks the applicant for more, with a message.
func (h *Handler) requestPermitDocuments(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	staffID, l := web.User(ctx).ID, web.Localizer(ctx)
	return h.permitAction(w, r, "office.quota.documents_requested", func(id int64, f *web.Form) error {
		text := strings.TrimSpace(f.Get("message"))
		if text == "" {
			return apperr.Field("message", "quota.documents_message_required")
		}
		return h.Permits.RequestDocuments(ctx, id, by(r), func(tx *db.DB, c *casework.Case) error {
			msgs := &message.Service{DB: tx, Jobs: h.Messages.Jobs, Now: h.Messages.Now}
			_, err := msgs.Send(ctx, c.CabinetID, staffID, message.Draft{Subject: l.T("quota.documents_subject"), Body: text, About: c.Number}, by(r))
			return err
		})
	})
}

// decideExtension grants or refuses an extension request; the permit's
// page is where the operator came from.
func (h *Handler) decideExtension(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	x, err := h.Permits.ExtensionByCase(ctx, h.DB, id)
	if err != nil {
		return err
	}
	err = h.Permits.DecideExtension(ctx, id, r.PostForm.Get("decision") == "grant", r.PostForm.Get("extension_reason"), by(r))
	if err != nil {
		form := web.NewForm(r.PostForm)
		r.SetPathValue("id", strconv.FormatInt(x.PermitCaseID, 10))
		if form.SetErrors(err) {
			return h.renderPermit(w, r, http.StatusUnprocessableEntity, form)
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict {
			form.Errors.Add("decision", e.Key, e.Args)
			return h.renderPermit(w, r, http.StatusConflict, form)
		}
		return err
	}
	h.Kit.Flash(r, "office.permit.extension_decided")
	return web.Redirect(w, r, "/office/permits/"+strconv.FormatInt(x.PermitCaseID, 10))
}
