package backoffice

import (
	"net/http"
	"strings"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/cabinet"
	"github.com/emgek/emgek/internal/web"
)

type loginPage struct {
	web.Page
	Next string
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	p := &loginPage{Page: h.Kit.Page(r, "office.login.title"), Next: web.LocalPath(form.Get("next"), "")}
	p.Form = form
	return h.Kit.Render(w, r, status, "office/login", p)
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request) error {
	if u := web.User(r.Context()); u.IsStaff() {
		return web.Redirect(w, r, "/office")
	}
	return h.renderLogin(w, r, http.StatusOK, web.NewForm(r.URL.Query()))
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	device := ""
	if c, err := r.Cookie(cabinet.DeviceCookie + "_office"); err == nil {
		device = c.Value
	}
	m, err := h.Staff.Login(r.Context(), form.Get("email"), form.Get("password"), web.ClientIP(r), device)
	if err != nil {
		if form.SetErrors(err) {
			return h.renderLogin(w, r, http.StatusUnprocessableEntity, form)
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.TooMany {
			form.Errors.Add("email", e.Key, e.Args)
			return h.renderLogin(w, r, http.StatusTooManyRequests, form)
		}
		return err
	}
	if err := h.Kit.Login(r.Context(), "staff", m.ID); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: cabinet.DeviceCookie + "_office", Value: h.Guard.DeviceToken(m.Email), Path: "/office",
		MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(h.Kit.BaseURL, "https://")})
	return web.Redirect(w, r, web.LocalPath(form.Get("next"), "/office"))
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.Kit.Logout(r.Context()); err != nil {
		return err
	}
	return web.Redirect(w, r, "/office/login")
}
