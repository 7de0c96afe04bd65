// Package public serves the pages anyone may open: the landing page, the
// privacy policy, the language switch, the anti-bot images and sounds,
// and the health check.
package public

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/captcha"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/staff"
	"github.com/emgek/emgek/internal/verify"
	"github.com/emgek/emgek/internal/web"
)

// Handler serves the public pages.
type Handler struct {
	Kit      *web.Kit
	DB       *db.DB
	Captcha  *captcha.Service
	Accounts *account.Service
	Staff    *staff.Service
	// Occupations is the ISCO-08 classifier, searched in memory.
	Occupations *classifier.Occupations
	Issuer      *verify.Issuer
	Quotas      *quota.Service
	Permits     *permit.Service
}

// Routes registers the public pages.
func (h *Handler) Routes(rt *web.Router) {
	rt.Handle("GET /{$}", web.Public, h.home)
	rt.Handle("GET /privacy", web.Public, h.privacy)
	rt.Handle("GET /lang/{lang}", web.Public, h.switchLang)
	rt.Handle("GET /captcha/{file}", web.Public, h.captchaFile)
	rt.Handle("GET /occupations", web.Public, h.searchOccupations)
	rt.Handle("GET /occupations.json", web.Public, h.occupationsJSON)
	rt.Handle("GET /verify/key", web.Public, h.verifyKeys)
	rt.Handle("GET /verify/{token}", web.Public, h.verifyDocument)
}

type homePage struct{ web.Page }

func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	if u := web.User(r.Context()); u != nil {
		if u.IsStaff() {
			return web.Redirect(w, r, "/office")
		}
		return web.Redirect(w, r, "/cabinet")
	}
	return h.Kit.Render(w, r, http.StatusOK, "public/home", &homePage{Page: h.Kit.Page(r, "home.title")})
}

func (h *Handler) privacy(w http.ResponseWriter, r *http.Request) error {
	return h.Kit.Render(w, r, http.StatusOK, "public/privacy", &homePage{Page: h.Kit.Page(r, "privacy.title")})
}

// switchLang remembers the language in a cookie (and in the profile of a
// logged-in user) and returns to the page. It is a GET because it is a
// link that works without JavaScript; it changes only a preference.
func (h *Handler) switchLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	if !i18n.Valid(lang) {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(h.Kit.BaseURL, "https://")})
	if u := web.User(r.Context()); u != nil {
		var err error
		if u.IsStaff() {
			err = h.Staff.SetLang(r.Context(), u.ID, lang)
		} else {
			err = h.Accounts.SetLang(r.Context(), u.ID, lang)
		}
		if err != nil {
			return err
		}
	}
	http.Redirect(w, r, web.LocalPath(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
	return nil
}

func (h *Handler) captchaFile(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	w.Header().Set("Cache-Control", "no-store")
	if id, ok := strings.CutSuffix(file, ".png"); ok {
		w.Header().Set("Content-Type", "image/png")
		return h.Captcha.WriteImage(r.Context(), w, id)
	}
	if id, ok := strings.CutSuffix(file, ".wav"); ok {
		w.Header().Set("Content-Type", "audio/wav")
		return h.Captcha.WriteAudio(r.Context(), w, id, r.URL.Query().Get("lang"))
	}
	return apperr.New(apperr.NotFound, "error.not_found")
}

// Health answers 200 with the database's name only after a query to it
// succeeded, 503 otherwise. It carries no session.
func Health(d *db.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		body := map[string]string{"status": "ok", "database": string(d.Dialect)}
		if err := d.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			body["status"] = "unavailable"
		}
		_ = json.NewEncoder(w).Encode(body)
	})
}
