// Package web is Emgek's HTTP kit: handlers that return errors, one error
// page per kind, templates parsed once, the route table with the roles
// allowed on each route, middleware, sessions, forms and uploads.
//
// Surfaces (public, cabinet, backoffice) register their routes on a Router
// and render pages whose data embeds Page.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/i18n"
)

// HandlerFunc is an HTTP handler that returns its error to one place.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Kit holds what every handler needs to answer a request.
type Kit struct {
	Log         *slog.Logger
	Catalog     *i18n.Catalog
	Sessions    *scs.SessionManager
	DefaultLang string
	Dev         bool
	BaseURL     string
	Now         func() time.Time
	// TrustedProxies may set X-Forwarded-For (a load balancer in front).
	TrustedProxies []netip.Prefix

	templates *templates
}

// NewKit parses the templates (failing fast on a broken one).
func NewKit(log *slog.Logger, cat *i18n.Catalog, sessions *scs.SessionManager, defaultLang, baseURL string, dev bool, now func() time.Time) (*Kit, error) {
	k := &Kit{Log: log, Catalog: cat, Sessions: sessions, DefaultLang: defaultLang, BaseURL: baseURL, Dev: dev, Now: now}
	t, err := parseTemplates(k)
	if err != nil {
		return nil, err
	}
	k.templates = t
	return k, nil
}

// Handle turns fn into an http.Handler that maps a returned error to a
// localized error page: the kind decides the status; internal errors are
// logged once, with the request id the page shows.
func (k *Kit) Handle(fn HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			k.Error(w, r, err)
		}
	})
}

// ErrorPage is the data of the error template.
type ErrorPage struct {
	Page
	Status  int
	Message string
}

// Error renders the page for err.
func (k *Kit) Error(w http.ResponseWriter, r *http.Request, err error) {
	status, key := http.StatusInternalServerError, "error.internal"
	if e, ok := apperr.As(err); ok {
		key = e.Key
		switch e.Kind {
		case apperr.NotFound:
			status = http.StatusNotFound
		case apperr.Invalid:
			status = http.StatusUnprocessableEntity
		case apperr.Conflict:
			status = http.StatusConflict
		case apperr.Forbidden:
			status = http.StatusForbidden
		case apperr.Unauthorized:
			status = http.StatusUnauthorized
		case apperr.TooMany:
			status = http.StatusTooManyRequests
		case apperr.Unavailable:
			status = http.StatusServiceUnavailable
		default:
			key = "error.internal"
		}
	}
	if errors.Is(err, context.Canceled) {
		return // the client went away; nothing to answer
	}
	if u := User(r.Context()); u != nil && (status == http.StatusNotFound || status == http.StatusForbidden) {
		// A logged-in user asking for what is not theirs: worth a line,
		// with who and the path pattern's id, never personal data.
		k.Log.WarnContext(r.Context(), "refused access", "status", status, "user", u.Kind+":"+strconv.FormatInt(u.ID, 10),
			"method", r.Method, "path", logPath(r.URL.Path), "request_id", RequestID(r.Context()))
	}
	if status == http.StatusInternalServerError {
		k.Log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", logPath(r.URL.Path), "request_id", RequestID(r.Context()), "err", err)
	}
	p := ErrorPage{Page: k.Page(r, "error.title"), Status: status}
	var args map[string]any
	if e, ok := apperr.As(err); ok {
		args = e.Args
	}
	p.Message = p.L.T(key, args)
	if rerr := k.Render(w, r, status, "error", &p); rerr != nil {
		k.Log.ErrorContext(r.Context(), "render error page", "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

// Render executes the named template into a buffer, then writes it with
// the status, so a failing template never leaves half a page.
func (k *Kit) Render(w http.ResponseWriter, r *http.Request, status int, name string, data Pager) error {
	data.base().finish(r)
	buf := getBuffer()
	defer putBuffer(buf)
	if err := k.templates.execute(buf, name, data); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// Redirect answers a successful POST with 303 See Other to a local path.
func Redirect(w http.ResponseWriter, r *http.Request, path string) error {
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}

// LocalPath returns next when it is a path on this site, else def; it
// keeps redirects after login from leading elsewhere.
func LocalPath(next, def string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return def
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return def
	}
	return next
}
