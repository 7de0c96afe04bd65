package cabinet

import (
	"net/http"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/token"
	"github.com/emgek/emgek/internal/web"
)

func (h *Handler) showForgot(w http.ResponseWriter, r *http.Request) error {
	return h.renderEmailCaptcha(w, r, http.StatusOK, "cabinet/forgot", "forgot.title", web.NewForm(nil))
}

// forgot is step 24: the answer is the same whether or not the email has
// a cabinet, so the form tells a stranger nothing.
func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) error {
	form, ok, err := h.emailAndCaptcha(r)
	if err != nil {
		return err
	}
	if !ok {
		return h.renderEmailCaptcha(w, r, http.StatusUnprocessableEntity, "cabinet/forgot", "forgot.title", form)
	}
	if err := h.Accounts.RequestReset(r.Context(), form.Get("email"), actor(r)); err != nil {
		return err
	}
	h.Kit.Sessions.Put(r.Context(), "reset_email", account.NormalizeEmail(form.Get("email")))
	return web.Redirect(w, r, "/password/forgot/sent")
}

func (h *Handler) showForgotSent(w http.ResponseWriter, r *http.Request) error {
	p := &messagePage{Page: h.Kit.Page(r, "forgot.sent.title")}
	p.Email = h.Kit.Sessions.GetString(r.Context(), "reset_email")
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/forgot_sent", p)
}

type resetPage struct {
	web.Page
	Token  string
	Result string // "" when the link works, else why not
}

func (h *Handler) renderReset(w http.ResponseWriter, r *http.Request, status int, form *web.Form, result string) error {
	p := &resetPage{Page: h.Kit.Page(r, "reset.title"), Token: r.PathValue("token"), Result: result}
	p.Form = form
	return h.Kit.Render(w, r, status, "cabinet/reset", p)
}

func (h *Handler) showReset(w http.ResponseWriter, r *http.Request) error {
	if err := h.Accounts.CheckReset(r.Context(), r.PathValue("token")); err != nil {
		res, ok := token.Problem(err)
		if !ok {
			return err
		}
		return h.renderReset(w, r, http.StatusNotFound, web.NewForm(nil), res)
	}
	return h.renderReset(w, r, http.StatusOK, web.NewForm(nil), "")
}

func (h *Handler) reset(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	err := h.Accounts.ResetPassword(r.Context(), r.PathValue("token"), form.Get("password"), form.Get("password_confirm"), actor(r))
	if err != nil {
		if form.SetErrors(err) {
			return h.renderReset(w, r, http.StatusUnprocessableEntity, form, "")
		}
		if res, ok := token.Problem(err); ok {
			return h.renderReset(w, r, http.StatusNotFound, form, res)
		}
		return err
	}
	return web.Redirect(w, r, "/password/reset-done")
}

func (h *Handler) showResetDone(w http.ResponseWriter, r *http.Request) error {
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/reset_done", &messagePage{Page: h.Kit.Page(r, "reset.done.title")})
}

func (h *Handler) showChangePassword(w http.ResponseWriter, r *http.Request) error {
	p := &messagePage{Page: h.Kit.Page(r, "password.change.title")}
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/password", p)
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	u := web.User(r.Context())
	err := h.Accounts.ChangePassword(r.Context(), u.ID, form.Get("current_password"), form.Get("password"), form.Get("password_confirm"), actor(r))
	if err != nil {
		if !form.SetErrors(err) {
			return err
		}
		p := &messagePage{Page: h.Kit.Page(r, "password.change.title")}
		p.Form = form
		return h.Kit.Render(w, r, http.StatusUnprocessableEntity, "cabinet/password", p)
	}
	// Every other session ended with the change; this one starts afresh.
	if err := h.Kit.Login(r.Context(), "cabinet", u.ID); err != nil {
		return err
	}
	h.Kit.Flash(r, "password.changed")
	return web.Redirect(w, r, "/cabinet")
}
