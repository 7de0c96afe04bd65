package backoffice

import (
	"net/http"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/profile"
	"github.com/emgek/emgek/internal/web"
)

type changesPage struct {
	web.Page
	Requests []profile.Request
}

// listChanges is the queue of change requests, oldest first.
func (h *Handler) listChanges(w http.ResponseWriter, r *http.Request) error {
	reqs, err := h.Profiles.List(r.Context(), profile.Filter{Status: profile.Pending})
	if err != nil {
		return err
	}
	return h.Kit.Render(w, r, http.StatusOK, "office/changes", &changesPage{Page: h.Kit.Page(r, "office.changes.title"), Requests: reqs})
}

type changePage struct {
	web.Page
	Request profile.Request
	Old     *document.Document // the file in force, for a photo or passport page
	New     *document.Document
}

func (h *Handler) renderChange(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	req, err := h.Profiles.ByID(ctx, id)
	if err != nil {
		return err
	}
	p := &changePage{Page: h.Kit.Page(r, "office.change.title"), Request: req}
	p.Form = form
	if req.DocumentID != 0 {
		nd, err := h.Documents.OfCabinet(ctx, req.CabinetID, req.DocumentID)
		if err != nil {
			return err
		}
		p.New = &nd
	}
	if req.OldID != 0 { // the file in force when the request was made
		od, err := h.Documents.OfCabinet(ctx, req.CabinetID, req.OldID)
		if err != nil {
			return err
		}
		p.Old = &od
	}
	return h.Kit.Render(w, r, status, "office/change", p)
}

func (h *Handler) showChange(w http.ResponseWriter, r *http.Request) error {
	return h.renderChange(w, r, http.StatusOK, web.NewForm(nil))
}

func (h *Handler) approveChange(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Profiles.Approve(r.Context(), id, web.User(r.Context()).ID, by(r)); err != nil {
		return h.changeError(w, r, err, web.NewForm(nil))
	}
	h.Kit.Flash(r, "office.change.approved")
	return web.Redirect(w, r, "/office/changes")
}

func (h *Handler) rejectChange(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	if err := h.Profiles.Reject(r.Context(), id, web.User(r.Context()).ID, form.Get("reason"), by(r)); err != nil {
		return h.changeError(w, r, err, form)
	}
	h.Kit.Flash(r, "office.change.rejected")
	return web.Redirect(w, r, "/office/changes")
}

// changeError shows a missing reason at its field, and "decided already"
// on the request's page, which now shows that decision.
func (h *Handler) changeError(w http.ResponseWriter, r *http.Request, err error, form *web.Form) error {
	if form.SetErrors(err) {
		return h.renderChange(w, r, http.StatusUnprocessableEntity, form)
	}
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict {
		form.Errors.Add("decision", e.Key)
		return h.renderChange(w, r, http.StatusConflict, form)
	}
	return err
}
