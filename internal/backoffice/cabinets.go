package backoffice

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/cabinet"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/esign"
	"github.com/emgek/emgek/internal/message"
	"github.com/emgek/emgek/internal/profile"
	"github.com/emgek/emgek/internal/web"
)

type cabinetsPage struct {
	web.Page
	Status   string
	Statuses []string
	Cabinets []*account.Cabinet
}

// listCabinets is the queue: cabinets with a confirmed email waiting for
// a decision, those waiting longest first; other statuses by filter.
func (h *Handler) listCabinets(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	if status == "" {
		status = string(account.Pending)
	}
	p := &cabinetsPage{Page: h.Kit.Page(r, "office.cabinets.title"), Status: status,
		Statuses: []string{string(account.Pending), string(account.Active), string(account.Rejected), string(account.Unconfirmed)}}
	list, err := account.List(r.Context(), h.DB, account.Filter{Status: account.Status(status), Limit: 100})
	if err != nil {
		return err
	}
	p.Cabinets = list
	return h.Kit.Render(w, r, http.StatusOK, "office/cabinets", p)
}

type cabinetPage struct {
	web.Page
	Cabinet     *account.Cabinet
	Citizenship string
	Documents   []document.Document
	Audit       []audit.Row
	Messages    []message.Message
	Changes     []profile.Request
	// Kazakhstan: the organisation's people and the signatures of its data.
	Members    []*account.Member
	Signatures []*esign.Signature
}

func (h *Handler) renderCabinet(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.renderCabinetID(w, r, status, id, form)
}

func (h *Handler) renderCabinetID(w http.ResponseWriter, r *http.Request, status int, id int64, form *web.Form) error {
	ctx := r.Context()
	c, err := account.ByID(ctx, h.DB, id)
	if err != nil {
		return err
	}
	docs, err := h.Documents.ByCabinet(ctx, id)
	if err != nil {
		return err
	}
	object := "cabinet:" + strconv.FormatInt(id, 10)
	trail, err := audit.ForObject(ctx, h.DB, object)
	if err != nil {
		return err
	}
	msgs, err := h.Messages.List(ctx, id)
	if err != nil {
		return err
	}
	changes, err := h.Profiles.List(ctx, profile.Filter{CabinetID: id})
	if err != nil {
		return err
	}
	p := &cabinetPage{Page: h.Kit.Page(r, "office.cabinet.title"), Cabinet: c, Documents: docs, Audit: trail, Messages: msgs, Changes: changes}
	p.Form = form
	if c.Person != nil {
		p.Citizenship = classifier.CountryName(ctx, h.DB, c.Person.Citizenship, p.Lang)
	}
	if c.BIN != "" {
		if p.Members, err = account.Members(ctx, h.DB, id); err != nil {
			return err
		}
	}
	if p.Signatures, err = esign.Of(ctx, h.DB, object); err != nil {
		return err
	}
	return h.Kit.Render(w, r, status, "office/cabinet", p)
}

// reverifySignature checks a kept signature again: still valid is said
// in a message, a refusal at the signatures with its reason.
func (h *Handler) reverifySignature(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	g, err := esign.ByID(r.Context(), h.DB, id)
	if err != nil {
		return err
	}
	cab, err := strconv.ParseInt(strings.TrimPrefix(g.Object, "cabinet:"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	if err := h.Signatures.Reverify(r.Context(), g, by(r)); err != nil {
		e, ok := apperr.As(err)
		if !ok || esign.Code(err) == "" {
			return err
		}
		// The reason, at the signatures, naming the one checked.
		form := web.NewForm(nil)
		fe := e.Fields[esign.Field]
		args := map[string]any{"ID": g.ID, "Reason": web.Localizer(r.Context()).T(fe.Key, fe.Args)}
		form.Errors.Add("signatures", "sig.refused", args)
		return h.renderCabinetID(w, r, http.StatusOK, cab, form)
	}
	h.Kit.Flash(r, "sig.still_valid")
	return web.Redirect(w, r, "/office/cabinets/"+strconv.FormatInt(cab, 10)+"#signatures")
}

func (h *Handler) showCabinet(w http.ResponseWriter, r *http.Request) error {
	return h.renderCabinet(w, r, http.StatusOK, web.NewForm(nil))
}

func (h *Handler) showCabinetDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	docID, err := pathID(r, "doc")
	if err != nil {
		return err
	}
	d, err := h.Documents.OfCabinet(r.Context(), id, docID)
	if err != nil {
		return err
	}
	return cabinet.ServeDocument(w, r, h.Documents, d)
}

func (h *Handler) activateCabinet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Accounts.Activate(r.Context(), id, web.User(r.Context()).ID, by(r)); err != nil {
		return h.decisionError(w, r, err)
	}
	h.Kit.Flash(r, "office.cabinet.activated")
	return web.Redirect(w, r, "/office")
}

func (h *Handler) rejectCabinet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	if err := h.Accounts.Reject(r.Context(), id, web.User(r.Context()).ID, r.PostForm.Get("reason"), by(r)); err != nil {
		form := web.NewForm(r.PostForm)
		if form.SetErrors(err) {
			return h.renderCabinet(w, r, http.StatusUnprocessableEntity, form)
		}
		return h.decisionError(w, r, err)
	}
	h.Kit.Flash(r, "office.cabinet.rejected")
	return web.Redirect(w, r, "/office")
}

// decisionError shows "someone else decided first" on the cabinet's page,
// which now shows that decision, instead of a bare error page.
func (h *Handler) decisionError(w http.ResponseWriter, r *http.Request, err error) error {
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Conflict {
		return err
	}
	form := web.NewForm(nil)
	form.Errors.Add("decision", e.Key)
	return h.renderCabinet(w, r, http.StatusConflict, form)
}

// sendMessage writes to the cabinet from its page.
func (h *Handler) sendMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	d := message.Draft{Subject: form.Get("subject"), Body: form.Get("body"), About: form.Get("about")}
	if _, err := h.Messages.Send(r.Context(), id, web.User(r.Context()).ID, d, by(r)); err != nil {
		if form.SetErrors(err) {
			return h.renderCabinet(w, r, http.StatusUnprocessableEntity, form)
		}
		return err
	}
	h.Kit.Flash(r, "office.message.sent")
	return web.Redirect(w, r, "/office/cabinets/"+r.PathValue("id")+"#messages")
}
