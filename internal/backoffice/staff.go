package backoffice

import (
	"net/http"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/staff"
	"github.com/emgek/emgek/internal/token"
	"github.com/emgek/emgek/internal/web"
)

type staffListPage struct {
	web.Page
	Members []*staff.Member
}

func (h *Handler) listStaff(w http.ResponseWriter, r *http.Request) error {
	list, err := staff.List(r.Context(), h.DB)
	if err != nil {
		return err
	}
	return h.Kit.Render(w, r, http.StatusOK, "office/staff_list", &staffListPage{Page: h.Kit.Page(r, "office.staff.title"), Members: list})
}

type staffFormPage struct {
	web.Page
	Member *staff.Member // nil when creating
	Roles  []web.Option
}

func (h *Handler) renderStaffForm(w http.ResponseWriter, r *http.Request, status int, m *staff.Member, form *web.Form) error {
	title := "office.staff.new_title"
	if m != nil {
		title = "office.staff.edit_title"
	}
	p := &staffFormPage{Page: h.Kit.Page(r, title), Member: m}
	p.Form = form
	for _, role := range []staff.Role{staff.Operator, staff.Admin} {
		p.Roles = append(p.Roles, web.Option{Value: string(role), Label: p.L.T("role." + string(role))})
	}
	return h.Kit.Render(w, r, status, "office/staff_form", p)
}

func (h *Handler) showNewStaff(w http.ResponseWriter, r *http.Request) error {
	return h.renderStaffForm(w, r, http.StatusOK, nil, web.NewForm(nil))
}

func inputFrom(form *web.Form) staff.Input {
	return staff.Input{Email: form.Get("email"), Name: form.Get("name"), Role: staff.Role(form.Get("role")), Unit: form.Get("unit")}
}

func (h *Handler) createStaff(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	if _, err := h.Staff.Create(r.Context(), inputFrom(form), "", by(r)); err != nil {
		if form.SetErrors(err) {
			return h.renderStaffForm(w, r, http.StatusUnprocessableEntity, nil, form)
		}
		return err
	}
	h.Kit.Flash(r, "office.staff.created")
	return web.Redirect(w, r, "/office/staff")
}

func (h *Handler) showStaff(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := staff.ByID(r.Context(), h.DB, id)
	if err != nil {
		return err
	}
	form := web.NewForm(map[string][]string{"name": {m.Name}, "role": {string(m.Role)}, "unit": {m.Unit}})
	if m.Disabled {
		form.Values.Set("disabled", "yes")
	}
	return h.renderStaffForm(w, r, http.StatusOK, m, form)
}

func (h *Handler) updateStaff(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := staff.ByID(r.Context(), h.DB, id)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	disabled := form.Get("disabled") == "yes"
	if err := h.Staff.Update(r.Context(), id, inputFrom(form), disabled, by(r), web.User(r.Context()).ID); err != nil {
		if form.SetErrors(err) {
			return h.renderStaffForm(w, r, http.StatusUnprocessableEntity, m, form)
		}
		return err
	}
	h.Kit.Flash(r, "office.staff.updated")
	return web.Redirect(w, r, "/office/staff")
}

type invitePage struct {
	web.Page
	Token  string
	Result string
}

func (h *Handler) renderInvite(w http.ResponseWriter, r *http.Request, status int, form *web.Form, result string) error {
	p := &invitePage{Page: h.Kit.Page(r, "office.invite.title"), Token: r.PathValue("token"), Result: result}
	p.Form = form
	return h.Kit.Render(w, r, status, "office/invite", p)
}

func (h *Handler) showInvite(w http.ResponseWriter, r *http.Request) error {
	if err := h.Staff.CheckInvite(r.Context(), r.PathValue("token")); err != nil {
		res, ok := token.Problem(err)
		if !ok {
			return err
		}
		return h.renderInvite(w, r, http.StatusNotFound, web.NewForm(nil), res)
	}
	return h.renderInvite(w, r, http.StatusOK, web.NewForm(nil), "")
}

func (h *Handler) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	m, err := h.Staff.AcceptInvite(r.Context(), r.PathValue("token"), form.Get("password"), form.Get("password_confirm"), audit.Event{Actor: "anonymous", IP: web.ClientIP(r)})
	if err != nil {
		if form.SetErrors(err) {
			return h.renderInvite(w, r, http.StatusUnprocessableEntity, form, "")
		}
		if res, ok := token.Problem(err); ok {
			return h.renderInvite(w, r, http.StatusNotFound, form, res)
		}
		return err
	}
	if err := h.Kit.Login(r.Context(), "staff", m.ID); err != nil {
		return err
	}
	h.Kit.Flash(r, "office.invite.done")
	return web.Redirect(w, r, "/office")
}
