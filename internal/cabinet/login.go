package cabinet

import (
	"net/http"
	"strings"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/web"
)

type loginPage struct {
	web.Page
	Next   string
	Notice string // translation id of why a correct login cannot go in yet
	Args   map[string]any
	Email  string
	EDS    bool // Kazakhstan's login by certificate is on
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	p := &loginPage{Page: h.Kit.Page(r, "login.title"), EDS: h.Signatures.Enabled()}
	p.Form = form
	p.Next = web.LocalPath(form.Get("next"), "")
	return h.Kit.Render(w, r, status, "cabinet/login", p)
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request) error {
	if u := web.User(r.Context()); u != nil && !u.IsStaff() {
		return web.Redirect(w, r, "/cabinet")
	}
	return h.renderLogin(w, r, http.StatusOK, web.NewForm(r.URL.Query()))
}

// DeviceCookie names the cookie a browser keeps after logging in, which
// exempts it from the account's login delay (see throttle.LoginGuard).
const DeviceCookie = "emgek_device"

func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	device := ""
	if c, err := r.Cookie(DeviceCookie); err == nil {
		device = c.Value
	}
	c, err := h.Accounts.Login(r.Context(), form.Get("email"), form.Get("password"), web.ClientIP(r), device)
	if err != nil {
		e, ok := apperr.As(err)
		switch {
		case form.SetErrors(err):
			return h.renderLogin(w, r, http.StatusUnprocessableEntity, form)
		case ok && e.Kind == apperr.TooMany:
			form.Errors = nil
			form.Errors.Add("email", e.Key, e.Args)
			return h.renderLogin(w, r, http.StatusTooManyRequests, form)
		case ok && e.Kind == apperr.Forbidden && c != nil:
			// The password was right: say why the cabinet cannot be used yet.
			p := &loginPage{Page: h.Kit.Page(r, "login.title"), Notice: e.Key, Args: e.Args, Email: c.Email}
			p.Form = web.NewForm(nil)
			setDevice(w, r, h, account.LoginKey(form.Get("email")))
			return h.Kit.Render(w, r, http.StatusForbidden, "cabinet/login", p)
		}
		return err
	}
	if err := h.Kit.Login(r.Context(), "cabinet", c.ID); err != nil {
		return err
	}
	setDevice(w, r, h, account.LoginKey(form.Get("email")))
	h.Kit.Flash(r, "login.welcome")
	return web.Redirect(w, r, web.LocalPath(form.Get("next"), "/cabinet"))
}

func setDevice(w http.ResponseWriter, r *http.Request, h *Handler, email string) {
	http.SetCookie(w, &http.Cookie{Name: DeviceCookie, Value: h.Guard.DeviceToken(email), Path: "/",
		MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(h.Kit.BaseURL, "https://")})
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.Kit.Logout(r.Context()); err != nil {
		return err
	}
	return web.Redirect(w, r, "/")
}
