package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Role is who may call a route. A route lists the roles allowed.
type Role string

// The roles. A cabinet's role is its kind; staff roles are their role.
const (
	Anonymous Role = "anonymous" // anyone, logged in or not
	Employer  Role = "employer"
	FIE       Role = "fie"
	Nomad     Role = "nomad"
	Citizen   Role = "citizen" // Kazakhstan: a citizen by IIN
	Operator  Role = "operator"
	Admin     Role = "admin"
)

// Groups of roles routes commonly allow.
var (
	Public   = []Role{Anonymous}
	Cabinets = []Role{Employer, FIE, Nomad, Citizen}
	// Applicants are the cabinets with data of their own to change; a
	// citizen's comes from the state registry.
	Applicants = []Role{Employer, FIE, Nomad}
	Staff      = []Role{Operator, Admin}
	Admins     = []Role{Admin}
)

// Route is one registered pattern and who may call it.
type Route struct {
	Method  string
	Path    string
	Pattern string
	Roles   []Role
}

// Router wraps http.ServeMux and records every route with its roles, so
// the authorization matrix test can enumerate them (ServeMux cannot).
type Router struct {
	Mux    *http.ServeMux
	kit    *Kit
	routes []Route
}

// NewRouter returns an empty router.
func NewRouter(k *Kit) *Router { return &Router{Mux: http.NewServeMux(), kit: k} }

// Routes lists what was registered, in order.
func (rt *Router) Routes() []Route { return slices.Clone(rt.routes) }

// Handle registers "METHOD /path" for the roles: the wrapper checks the
// role before fn runs and records metrics under the pattern.
func (rt *Router) Handle(pattern string, roles []Role, fn HandlerFunc) {
	method, path, _ := strings.Cut(pattern, " ")
	rt.routes = append(rt.routes, Route{Method: method, Path: path, Pattern: pattern, Roles: roles})
	h := rt.kit.Handle(func(w http.ResponseWriter, r *http.Request) error {
		if err := rt.kit.authorize(w, r, roles); err != nil || w.Header().Get("Location") != "" {
			return err
		}
		return fn(w, r)
	})
	rt.Mux.Handle(pattern, instrument(pattern, h))
}

// HandleRaw registers a plain handler (static files, metrics) that needs no
// role check and is open to everyone.
func (rt *Router) HandleRaw(pattern string, h http.Handler) {
	method, path, _ := strings.Cut(pattern, " ")
	rt.routes = append(rt.routes, Route{Method: method, Path: path, Pattern: pattern, Roles: Public})
	rt.Mux.Handle(pattern, instrument(pattern, h))
}

// authorize lets the request through when the user has one of the roles.
// Someone not logged in is sent to the right login page; someone logged
// in with another role gets 403.
func (k *Kit) authorize(w http.ResponseWriter, r *http.Request, roles []Role) error {
	if slices.Contains(roles, Anonymous) {
		return nil
	}
	u := User(r.Context())
	if u != nil && slices.Contains(roles, u.Role) {
		return nil
	}
	if u == nil {
		login := "/login"
		if slices.ContainsFunc(roles, func(r Role) bool { return r == Operator || r == Admin }) {
			login = "/office/login"
		}
		if r.Method == http.MethodGet {
			login += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, login, http.StatusSeeOther)
		return nil
	}
	return forbidden
}

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "emgek_http_requests_total", Help: "HTTP requests by route pattern and status.",
	}, []string{"route", "status"})
	durations = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "emgek_http_request_duration_seconds", Help: "HTTP request durations by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route"})
)

// Collectors are the HTTP metrics, registered once by the app.
func Collectors() []prometheus.Collector { return []prometheus.Collector{requests, durations} }

func instrument(pattern string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		requests.WithLabelValues(pattern, strconv.Itoa(sw.status)).Inc()
		durations.WithLabelValues(pattern).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
