package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/web"
)

// matrix is who may call each route. Every registered route must have a
// row: a new route without one fails TestAuthorizationMatrix.
var matrix = map[string]string{
	"GET /static/":                       "public",
	"GET /healthz":                       "public",
	"GET /metrics":                       "public",
	"GET /{$}":                           "public",
	"GET /privacy":                       "public",
	"GET /lang/{lang}":                   "public",
	"GET /captcha/{file}":                "public",
	"GET /register":                      "public",
	"POST /register":                     "public",
	"GET /register/{kind}":               "public",
	"POST /register/{kind}":              "public",
	"GET /register/sent":                 "public",
	"GET /register/confirm/{token}":      "public",
	"GET /register/resend":               "public",
	"POST /register/resend":              "public",
	"GET /login":                         "public",
	"POST /login":                        "public",
	"POST /logout":                       "cabinets",
	"GET /password/forgot":               "public",
	"GET /login/eds":                     "public",
	"POST /login/eds":                    "public",
	"GET /register/citizen":              "public",
	"POST /register/citizen":             "public",
	"GET /register/organisation":         "public",
	"POST /register/organisation":        "public",
	"GET /cabinet/organisation":          "employers",
	"POST /cabinet/organisation/members": "employers",
	"POST /cabinet/organisation/members/{id}/withdraw": "employers",
	"POST /cabinet/organisation/confirm":               "employers",
	"POST /cabinet/organisations/{id}/act":             "cabinets",
	"POST /password/forgot":                            "public",
	"GET /password/forgot/sent":                        "public",
	"GET /password/reset/{token}":                      "public",
	"POST /password/reset/{token}":                     "public",
	"GET /password/reset-done":                         "public",
	"GET /cabinet":                                     "cabinets",
	"GET /cabinet/documents/{id}":                      "cabinets",
	"GET /cabinet/password":                            "cabinets",
	"POST /cabinet/password":                           "cabinets",
	"GET /office/login":                                "public",
	"POST /office/login":                               "public",
	"POST /office/logout":                              "staff",
	"GET /office/invite/{token}":                       "public",
	"POST /office/invite/{token}":                      "public",
	"GET /office":                                      "staff",
	"POST /office/signatures/{id}/verify":              "staff",
	"GET /office/cabinets/{id}":                        "staff",
	"GET /office/cabinets/{id}/documents/{doc}":        "staff",
	"POST /office/cabinets/{id}/activate":              "staff",
	"POST /office/cabinets/{id}/reject":                "staff",
	"GET /office/staff":                                "admins",
	"GET /office/staff/new":                            "admins",
	"POST /office/staff/new":                           "admins",
	"GET /office/staff/{id}":                           "admins",
	"POST /office/staff/{id}":                          "admins",
	"GET /dev/ncalayer":                                "public",
	"POST /dev/ncalayer":                               "public",
	"GET /dev/mail":                                    "public",
	"POST /office/quota/ledger/import":                 "admins",
	"POST /cabinet/quota/{id}/withdraw":                "employers",
	"POST /office/quota/{id}/request-documents":        "staff",
	"POST /cabinet/quota/{id}/documents":               "employers",
	"GET /cabinet/quota":                               "employers",
	"GET /cabinet/quota/new":                           "employers",
	"POST /cabinet/quota/new":                          "employers",
	"GET /cabinet/quota/{id}":                          "employers",
	"POST /cabinet/quota/{id}/submit":                  "employers",
	"GET /cabinet/quota/{id}/extract.pdf":              "employers",
	"GET /office/quota":                                "staff",
	"GET /office/quota/{id}":                           "staff",
	"POST /office/quota/{id}/decide":                   "staff",
	"GET /office/quota/ledger":                         "staff",
	"POST /office/quota/ledger":                        "admins",
	"GET /verify/key":                                  "public",
	"GET /verify/{token}":                              "public",
	"GET /occupations":                                 "public",
	"GET /occupations.json":                            "public",
	"GET /cabinet/profile":                             "cabinets",
	"GET /cabinet/profile/edit":                        "applicants",
	"POST /cabinet/profile/edit":                       "applicants",
	"GET /cabinet/profile/update/{subject}":            "applicants",
	"POST /cabinet/profile/update/{subject}":           "applicants",
	"GET /cabinet/profile/changes/{id}":                "cabinets",
	"GET /office/changes":                              "staff",
	"GET /office/changes/{id}":                         "staff",
	"POST /office/changes/{id}/approve":                "staff",
	"POST /office/changes/{id}/reject":                 "staff",
	"GET /cabinet/documents":                           "cabinets",
	"GET /cabinet/documents/{id}/versions":             "cabinets",
	"GET /cabinet/documents/{id}/replace":              "cabinets",
	"POST /cabinet/documents/{id}/replace":             "cabinets",
	"GET /cabinet/messages":                            "cabinets",
	"GET /cabinet/messages/{id}":                       "cabinets",
	"POST /office/cabinets/{id}/messages":              "staff",
	"GET /cabinet/permits":                             "permitters",
	"GET /cabinet/permits/search":                      "permitters",
	"POST /cabinet/permits/search":                     "permitters",
	"POST /cabinet/permits/start":                      "permitters",
	"GET /cabinet/permits/{id}":                        "permitters",
	"GET /cabinet/permits/{id}/form":                   "permitters",
	"POST /cabinet/permits/{id}/form":                  "permitters",
	"POST /cabinet/permits/{id}/documents":             "permitters",
	"POST /cabinet/permits/{id}/submit":                "permitters",
	"POST /cabinet/permits/{id}/withdraw":              "permitters",
	"GET /cabinet/permits/{id}/permit.pdf":             "permitters",
	"GET /cabinet/permits/{id}/extend":                 "permitters",
	"POST /cabinet/permits/{id}/extend":                "permitters",
	"GET /office/permits":                              "staff",
	"GET /office/permits/{id}":                         "staff",
	"POST /office/permits/{id}/request-documents":      "staff",
	"POST /office/permits/{id}/approve":                "staff",
	"POST /office/permits/{id}/reject":                 "staff",
	"POST /office/permits/{id}/issue":                  "staff",
	"POST /office/permits/{id}/revoke":                 "staff",
	"POST /office/extensions/{id}/decide":              "staff",
	"GET /office/inbox":                                "staff",
	"POST /office/cases/{id}/take":                     "staff",
}

var groups = map[string][]web.Role{
	"public":     web.Public,
	"cabinets":   web.Cabinets,
	"applicants": web.Applicants,
	"staff":      web.Staff,
	"admins":     web.Admins,
	"employers":  {web.Employer},
	// permitters apply for work permits.
	"permitters": {web.Employer, web.FIE},
}

// checkMatrix compares the registered routes with the table.
func checkMatrix(routes []web.Route, table map[string]string) []string {
	var problems []string
	seen := map[string]bool{}
	for _, r := range routes {
		seen[r.Pattern] = true
		g, ok := table[r.Pattern]
		if !ok {
			problems = append(problems, fmt.Sprintf("route %q has no row in the authorization matrix", r.Pattern))
			continue
		}
		if !slices.Equal(groups[g], r.Roles) {
			problems = append(problems, fmt.Sprintf("route %q allows %v, the matrix says %s", r.Pattern, r.Roles, g))
		}
	}
	for p := range table {
		if !seen[p] {
			problems = append(problems, fmt.Sprintf("matrix row %q has no route", p))
		}
	}
	return problems
}

func TestMatrixCatchesNewRoute(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.App.Router.Handle("GET /cabinet/secret", web.Cabinets, func(http.ResponseWriter, *http.Request) error { return nil })
	problems := checkMatrix(e.App.Router.Routes(), matrix)
	if len(problems) != 1 || !strings.Contains(problems[0], "/cabinet/secret") {
		t.Fatalf("problems = %v, want one about the unlisted route", problems)
	}
}

// TestAuthorizationMatrix calls every route as every role and checks the
// answer: allowed roles get through, others are sent to log in (when
// anonymous) or refused with 403.
func TestAuthorizationMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		for _, p := range checkMatrix(e.App.Router.Routes(), matrix) {
			t.Error(p)
		}
		fx := newFixture(t, e)
		for _, route := range e.App.Router.Routes() {
			for _, role := range []web.Role{web.Anonymous, web.Employer, web.FIE, web.Nomad, web.Citizen, web.Operator, web.Admin} {
				c := fx.client(role)
				path := fx.path(route.Path)
				var r *apptest.Response
				if route.Method == http.MethodGet {
					r = c.Get(path)
				} else {
					r = c.Post(path, nil)
				}
				if strings.Contains(route.Path, "logout") {
					fx.forget(role)
				}
				allowed := slices.Contains(route.Roles, web.Anonymous) || slices.Contains(route.Roles, role)
				toLogin := r.Status == http.StatusSeeOther && (strings.HasPrefix(r.Location, "/login") || strings.HasPrefix(r.Location, "/office/login"))
				switch {
				case allowed && (r.Status == http.StatusForbidden || toLogin && !slices.Contains(route.Roles, web.Anonymous) && !strings.Contains(route.Path, "logout")):
					t.Errorf("%s as %s: %d %s, want it allowed", route.Pattern, role, r.Status, r.Location)
				case !allowed && role == web.Anonymous && !toLogin:
					t.Errorf("%s as anonymous: %d %s, want a redirect to log in", route.Pattern, r.Status, r.Location)
				case !allowed && role != web.Anonymous && r.Status != http.StatusForbidden:
					t.Errorf("%s as %s: %d, want 403", route.Pattern, role, r.Status)
				case r.Status >= 500:
					t.Errorf("%s as %s: %d", route.Pattern, role, r.Status)
				}
			}
		}
	})
}

// TestOtherCabinet: every cabinet route naming a record, called by
// another cabinet of the same type, answers 404 — the record is not
// theirs, and they are not told it exists.
func TestOtherCabinet(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		fx := newFixture(t, e)
		fx.activeEmployer("second-employer@example.test")
		other := e.Client()
		if r := other.Login("second-employer@example.test", apptest.Password); r.Status != http.StatusSeeOther {
			t.Fatal(r.Status)
		}
		n := 0
		for _, route := range e.App.Router.Routes() {
			if !strings.HasPrefix(route.Path, "/cabinet/") || !strings.Contains(route.Path, "{id}") {
				continue
			}
			n++
			path := fx.path(route.Path)
			var r *apptest.Response
			if route.Method == http.MethodGet {
				r = other.Get(path)
			} else {
				r = other.PostMultipart(path, nil, []apptest.File{{Field: "file", Name: "x.pdf", Content: apptest.PDF}})
			}
			if r.Status != http.StatusNotFound {
				t.Errorf("%s as another employer: %d, want 404", route.Pattern, r.Status)
			}
		}
		if n < 4 {
			t.Fatalf("only %d cabinet routes with an id checked", n)
		}
	})
}

// TestOwnership: a cabinet cannot open another cabinet's document, even
// of the same type; the answer does not say the document exists.
func TestOwnership(t *testing.T) {
	e := apptest.New(t, "sqlite")
	fx := newFixture(t, e)
	other := fx.activeEmployer("other-employer@example.test")
	docs, err := e.App.Documents.ByCabinet(t.Context(), other)
	if err != nil || len(docs) == 0 {
		t.Fatalf("docs %v %v", docs, err)
	}
	r := fx.client(web.Employer).Get("/cabinet/documents/" + strconv.FormatInt(docs[0].ID, 10))
	if r.Status != http.StatusNotFound {
		t.Fatalf("another employer's document: %d, want 404", r.Status)
	}
	own := fx.client(web.Employer).Get(fx.path("/cabinet/documents/{id}"))
	if own.Status != http.StatusOK || own.Header.Get("Content-Security-Policy") != "sandbox" || own.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("own document: %d %v", own.Status, own.Header)
	}
}
