package app_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/quota"
)

// TestRefusalsInEveryLanguage: every reason a search can refuse with has
// its text and its next step in all four languages, and the search page
// shows them in the refusal box, below the person's data.
func TestRefusalsInEveryLanguage(t *testing.T) {
	cat := i18n.MustLoad()
	for _, lang := range i18n.Langs {
		l := cat.Localizer(lang)
		for _, code := range permit.RefusalCodes {
			for _, id := range []string{"permit.refusal." + code, "permit.refusal." + code + ".next"} {
				if s := l.T(id, map[string]any{}); s == "" || strings.Contains(s, i18n.Missing) {
					t.Errorf("%s: %s is missing", lang, id)
				}
			}
		}
	}

	e := apptest.New(t, "sqlite")
	emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
	e.ApprovedQuota(emp, "UZ", "7112", 2)
	other := e.NewCabinet(account.Employer, "other@example.test", account.Active)
	e.SubmittedPermit(other, "UZ", "AA0000008", e.ApprovedQuota(other, "UZ", "7112", 1))
	c := e.Client()
	if r := c.Login("emp@example.test", apptest.Password); r.Status != 303 {
		t.Fatal(r.Status)
	}
	people := []struct{ country, number, code string }{
		{"UZ", "AA0000001", "entry_ban_indefinite"}, {"UZ", "AA0000011", "entry_ban"}, {"UZ", "AA0000002", "passport_expired"},
		{"UZ", "AA0000003", "passport_expiring"}, {"UZ", "AA0000004", "permit_valid"}, {"UZ", "AA0000008", "application_open"},
		{"TJ", "TJ0000006", "no_quota"},
	}
	box := regexp.MustCompile(`(?s)<li class="emgek-refusal" data-code="([a-z_]+)"><strong>(.*?)</strong><br>(.*?)</li>`)
	seen := map[string]map[string]bool{}
	for _, lang := range i18n.Langs {
		c.Get("/lang/" + lang)
		l := cat.Localizer(lang)
		for _, p := range people {
			r := c.Post("/cabinet/permits/search", url.Values{"country": {p.country}, "number": {p.number}})
			if r.Status != 200 {
				t.Fatalf("%s %s: %d", lang, p.number, r.Status)
			}
			m := box.FindAllStringSubmatch(r.Body, -1)
			if len(m) != 1 || m[0][1] != p.code {
				t.Errorf("%s %s: refusals %v, want %s", lang, p.number, m, p.code)
				continue
			}
			if next := html.EscapeString(l.T("permit.refusal."+p.code+".next", map[string]any{})); m[0][3] != next {
				t.Errorf("%s %s: next step %q, want %q", lang, p.number, m[0][3], next)
			}
			if seen[p.code] == nil {
				seen[p.code] = map[string]bool{}
			}
			seen[p.code][m[0][2]] = true
			if i := strings.Index(r.Body, `id="refusals"`); i < strings.Index(r.Body, p.number) {
				t.Errorf("%s %s: the refusal comes before the person's data", lang, p.number)
			}
		}
	}
	for code, texts := range seen {
		if len(texts) != len(i18n.Langs) {
			t.Errorf("%s: %d different texts in %d languages", code, len(texts), len(i18n.Langs))
		}
	}
}

// TestInbox: one inbox holds the cases of every service, the earliest due
// first; an operator takes one, and a second operator taking it at the
// same time is told someone was first; the filters narrow it.
func TestInbox(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
		permitID := e.SubmittedPermit(emp, "UZ", "AA0000006", e.ApprovedQuota(emp, "UZ", "7112", 2))
		quotaID, err := e.App.Quotas.Apply(ctx, emp, quota.ThisYear(e.App.Kit.Now()), apptest.Region,
			[]quota.Row{{Country: "TR", Occupation: "2512", Requested: 1}}, audit.Event{Actor: "system"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.App.Quotas.Submit(ctx, emp, quotaID, audit.Event{Actor: "system"}); err != nil {
			t.Fatal(err)
		}
		a, b := e.Client(), e.Client()
		for _, c := range []*apptest.Client{a, b} {
			email, pw := e.NewStaff("operator")
			e.LoginStaff(c, email, pw)
		}
		// The rows are built in Go: what applicants typed must come out escaped.
		if _, err := e.DB.Exec(ctx, `UPDATE employers SET org_name = '<b>Evil & Co</b>' WHERE cabinet_id = $1`, emp); err != nil {
			t.Fatal(err)
		}
		page := a.Get("/office/inbox")
		if !strings.Contains(page.Body, "&lt;b&gt;Evil &amp; Co&lt;/b&gt;") || strings.Contains(page.Body, "<b>Evil") {
			t.Fatal("the applicant's name is not escaped in the inbox")
		}
		pid, qid := strconv.FormatInt(permitID, 10), strconv.FormatInt(quotaID, 10)
		if page.Status != 200 || !strings.Contains(page.Body, `href="/office/permits/`+pid+`"`) || !strings.Contains(page.Body, `href="/office/quota/`+qid+`"`) {
			t.Fatalf("inbox %d:\n%s", page.Status, page.Body)
		}
		if only := a.Get("/office/inbox?service=permit"); strings.Contains(only.Body, `href="/office/quota/`+qid+`"`) {
			t.Fatal("the service filter lets a quota application through")
		}
		if odd := a.Get("/office/inbox?service=nosuchservice"); odd.Status != 200 || !strings.Contains(odd.Body, `href="/office/permits/`+pid+`"`) ||
			!strings.Contains(odd.Body, `href="/office/quota/`+qid+`"`) {
			t.Fatalf("an unknown service is not ignored as a filter: %d", odd.Status)
		}
		if r := a.Post("/office/cases/"+pid+"/take", nil); r.Status != 303 {
			t.Fatalf("take: %d", r.Status)
		}
		if r := b.Post("/office/cases/"+pid+"/take", nil); r.Status != 409 || !strings.Contains(r.Body, "Another operator has just taken") {
			t.Fatalf("second take: %d", r.Status)
		}
		mine := a.Get("/office/inbox?whose=mine")
		if !strings.Contains(mine.Body, `href="/office/permits/`+pid+`"`) || strings.Contains(mine.Body, `href="/office/quota/`+qid+`"`) {
			t.Fatalf("mine:\n%s", mine.Body)
		}
		if free := b.Get("/office/inbox?whose=free"); strings.Contains(free.Body, `href="/office/permits/`+pid+`"`) {
			t.Fatal("a taken case among the free ones")
		}
		if r := b.Post("/office/cases/"+pid+"/take", url.Values{"release": {"1"}}); r.Status != 409 {
			t.Fatalf("giving back another's case: %d", r.Status)
		}
		if r := a.Post("/office/cases/"+pid+"/take", url.Values{"release": {"1"}}); r.Status != 303 {
			t.Fatalf("give back: %d", r.Status)
		}
	})
}

// TestCompression: pages and styles are gzipped for clients that accept
// it; fonts, PDFs and images, compressed already, are not.
func TestCompression(t *testing.T) {
	e := apptest.New(t, "sqlite")
	get := func(path string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	for path, want := range map[string]string{"/": "gzip", "/privacy": "gzip", "/static/css/emgek.css": "gzip", "/static/fonts/noto-sans-cyrillic-400-normal.woff2": ""} {
		if got := get(path).Header.Get("Content-Encoding"); got != want {
			t.Errorf("%s: Content-Encoding %q, want %q", path, got, want)
		}
	}
}
