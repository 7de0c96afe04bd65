package registry_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/emgek/emgek/internal/registry"
)

// example is an answer documented in docs/registries.md.
type example struct {
	name, method, path string
	status             int
	body               string
}

var exampleLine = regexp.MustCompile(`^<!-- example ([a-z0-9-]+): ([A-Z]+) (/\S+) → (\d{3}) -->$`)

// readExamples extracts the examples of docs/registries.md: a comment line
// followed at once by a ```json block holding the body.
func readExamples(t *testing.T) []example {
	t.Helper()
	f, err := os.Open("../../docs/registries.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []example
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := exampleLine.FindStringSubmatch(sc.Text())
		if m == nil {
			if strings.HasPrefix(sc.Text(), "<!-- example") {
				t.Fatalf("malformed example line %q", sc.Text())
			}
			continue
		}
		ex := example{name: m[1], method: m[2], path: m[3]}
		ex.status, _ = strconv.Atoi(m[4])
		if !sc.Scan() || sc.Text() != "```json" {
			t.Fatalf("example %s: not followed by a ```json block", ex.name)
		}
		var body []string
		for sc.Scan() && sc.Text() != "```" {
			body = append(body, sc.Text())
		}
		ex.body = strings.Join(body, "\n")
		out = append(out, ex)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// seen is a request the test server received.
type seen struct{ Path, Accept, Auth string }

// exampleServer serves the examples verbatim under /api; anything else is
// a 404 that is not the contract's.
func exampleServer(t *testing.T, examples []example) (srv *httptest.Server, requests func() []seen) {
	var mu sync.Mutex
	var got []seen
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.URL.EscapedPath(), r.Header.Get("Accept"), r.Header.Get("Authorization")})
		mu.Unlock()
		for _, ex := range examples {
			if r.Method == ex.method && r.URL.EscapedPath() == "/api"+ex.path {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(ex.status)
				io.WriteString(w, ex.body)
				return
			}
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return append([]seen(nil), got...)
	}
}

func TestClientExamples(t *testing.T) {
	examples := readExamples(t)
	want := map[string]*registry.Foreigner{
		"passport-found": {
			Country: "UZ", Number: "AA1234567", Surname: "KARIMOV", GivenName: "BEKZOD", Patronymic: "RUSTAMOVICH", Sex: "M",
			BirthDate: "1991-04-17", Citizenship: "UZ", IssuedOn: "2019-06-03", ExpiresOn: "2029-06-02",
			Bans: []registry.Ban{{From: "2025-09-12", Until: "2030-09-11", Basis: "Law on External Migration: violation of the rules of stay"}},
			Permits: []registry.Permit{
				{Number: "WP-KG-2023-004512", ValidFrom: "2023-03-01", ValidUntil: "2024-02-29"},
				{Number: "WP-KG-2024-000731", ValidFrom: "2024-04-01", ValidUntil: "2025-03-31", RevokedOn: "2024-11-15",
					RevokeReason: "The employment contract ended early"},
			},
		},
		"passport-found-clear": {
			Country: "KZ", Number: "N12345678", Surname: "SULEIMENOVA", GivenName: "AIGERIM", Patronymic: "NURLANOVNA", Sex: "F",
			BirthDate: "1996-12-02", Citizenship: "KZ", IssuedOn: "2021-08-19", ExpiresOn: "2031-08-18",
		},
		"passport-found-indefinite-ban": {
			Country: "TR", Number: "U12345678", Surname: "YILMAZ", GivenName: "MEHMET", Sex: "M",
			BirthDate: "1984-07-30", Citizenship: "TR", IssuedOn: "2018-02-14", ExpiresOn: "2028-02-13",
			Bans:    []registry.Ban{{From: "2024-05-20", Basis: "Law on External Migration: administrative expulsion"}},
			Permits: []registry.Permit{{Number: "WP-KG-2022-010044", ValidFrom: "2022-06-01", ValidUntil: "2023-05-31"}},
		},
		"passport-not-found": nil, // ErrNotFound
	}
	var passports []example // the other registries' examples have their tests
	for _, ex := range examples {
		if strings.HasPrefix(ex.path, "/v1/passports/") {
			passports = append(passports, ex)
		}
	}
	examples = passports
	if len(examples) != len(want) {
		t.Errorf("docs/registries.md has %d passport examples, the test knows %d", len(examples), len(want))
	}

	srv, requests := exampleServer(t, examples)
	c := &registry.Client{BaseURL: srv.URL + "/api/", Token: "secret-token"}
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			w, ok := want[ex.name]
			if !ok {
				t.Fatalf("example %s is not known to the test", ex.name)
			}
			parts := strings.Split(ex.path, "/") // "", "v1", "passports", country, number
			if len(parts) != 5 || ex.method != http.MethodGet {
				t.Fatalf("example %s: %s %s", ex.name, ex.method, ex.path)
			}
			got, err := c.Passport(t.Context(), parts[3], parts[4])
			if w == nil {
				if !errors.Is(err, registry.ErrNotFound) {
					t.Fatalf("got %+v, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(w, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			reqs := requests()
			if diff := cmp.Diff(seen{"/api" + ex.path, "application/json", "Bearer secret-token"}, reqs[len(reqs)-1]); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
		})
	}

	// The example person's ban and revocation, as the portal reads them.
	f, err := c.Passport(t.Context(), "UZ", "AA1234567")
	if err != nil {
		t.Fatal(err)
	}
	if b := f.BannedOn("2026-11-25"); b == nil || b.Until != "2030-09-11" {
		t.Errorf("BannedOn = %+v", b)
	}
	if r := f.Revocations(); len(r) != 1 || r[0].Number != "WP-KG-2024-000731" {
		t.Errorf("Revocations = %+v", r)
	}
	if f.PermitOn("2026-11-25") != nil || f.PermitOn("2023-06-01") == nil || f.Demo {
		t.Errorf("PermitOn or Demo wrong: %+v", f)
	}
}

func TestClientNormalizes(t *testing.T) {
	srv, requests := exampleServer(t, readExamples(t))
	c := &registry.Client{BaseURL: srv.URL + "/api"}
	f, err := c.Passport(t.Context(), " uz", "aa 123-4567 ")
	if err != nil {
		t.Fatal(err)
	}
	if f.Number != "AA1234567" {
		t.Errorf("Number = %q", f.Number)
	}
	if diff := cmp.Diff([]seen{{"/api/v1/passports/UZ/AA1234567", "application/json", ""}}, requests()); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}

	// Nothing to ask about: no request.
	for _, in := range [][2]string{{"UZ", "AA 1"}, {"UZ", ""}, {"UZB", "AA1234567"}, {"", "AA1234567"}, {"UZ", "АА1234567"}} {
		if _, err := c.Passport(t.Context(), in[0], in[1]); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Passport(%q, %q) = %v, want ErrNotFound", in[0], in[1], err)
		}
	}
	if n := len(requests()); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

const number = "AA7654321" // must never appear in an error

func TestClientUnavailable(t *testing.T) {
	person := func(edit func(string) string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, edit(`{"country":"UZ","number":"AA7654321","surname":"KARIMOV","citizenship":"UZ","birth_date":"1991-04-17",
				"expires_on":"2029-06-02","bans":[],"permits":[]}`))
		}
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string // in the error
	}{
		{"500", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "cannot look up "+number, http.StatusInternalServerError)
		}, "status 500"},
		{"503", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) }, "status 503"},
		{"400", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadRequest) }, "status 400"},
		{"404 not the contract's", http.NotFound, "status 404"},
		{"404 another error", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":"no_route"}`)
		}, "status 404"},
		{"malformed", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"country": "UZ", "number": "AA7654321"`)
		}, "unreadable"},
		{"html", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>"+number+"</html>") }, "unreadable"},
		{"array", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "[]") }, "unreadable"},
		{"null", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "null") }, "lacks country"},
		{"wrong type", person(func(s string) string { return strings.Replace(s, `"bans":[]`, `"bans":"AA7654321"`, 1) }), "unreadable"},
		{"lacks surname", person(func(s string) string { return strings.Replace(s, `"surname":"KARIMOV",`, "", 1) }), "lacks surname"},
		{"lacks birth date", person(func(s string) string { return strings.Replace(s, `"birth_date":"1991-04-17",`, "", 1) }), "lacks birth_date"},
		{"lacks expiry", person(func(s string) string { return strings.Replace(s, `"2029-06-02"`, `null`, 1) }), "lacks expires_on"},
		{"another document", person(func(s string) string { return strings.Replace(s, `"AA7654321"`, `"AA7654322"`, 1) }), "another document"},
		{"another country", person(func(s string) string { return strings.Replace(s, `"UZ"`, `"TJ"`, 1) }), "another document"},
		{"date shape", person(func(s string) string { return strings.Replace(s, `"1991-04-17"`, `"17.04.1991"`, 1) }), "malformed birth_date"},
		{"permit date shape", person(func(s string) string {
			return strings.Replace(s, `"permits":[]`, `"permits":[{"number":"P","valid_from":"2024-1-1","valid_until":"2025-01-01"}]`, 1)
		}), "malformed permits.valid_from"},
		{"too large", person(func(s string) string { return strings.Replace(s, "{", "{"+strings.Repeat(" ", 1<<20), 1) }), "larger than 1 MiB"},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) }, "redirects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			_, err := (&registry.Client{BaseURL: srv.URL}).Passport(t.Context(), "UZ", number)
			checkUnavailable(t, err, tt.want)
		})
	}
}

func checkUnavailable(t *testing.T, err error, want string) {
	t.Helper()
	if !errors.Is(err, registry.ErrUnavailable) || errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if msg := err.Error(); strings.Contains(msg, number) || !strings.Contains(msg, want) {
		t.Errorf("err = %q, want it to say %q and not the number", msg, want)
	}
}

func TestClientAnswerAtLimit(t *testing.T) {
	// Just within the limit is fine.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := `{"country":"UZ","number":"AA7654321","surname":"KARIMOV","citizenship":"UZ","birth_date":"1991-04-17","expires_on":"2029-06-02"}`
		io.WriteString(w, strings.Repeat(" ", 1<<20-len(body))+body)
	}))
	t.Cleanup(srv.Close)
	if _, err := (&registry.Client{BaseURL: srv.URL}).Passport(t.Context(), "UZ", number); err != nil {
		t.Fatal(err)
	}
}

func TestClientIgnoresUnknownFields(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"country":"UZ","number":"AA7654321","surname":"KARIMOV","citizenship":"UZ","birth_date":"1991-04-17","expires_on":"2029-06-02",
			"photo":{"available":true},"bans":[{"from":"2020-01-01","until":"2021-01-01","basis":"b","decision_no":"17"}],"schema":2}`)
	}))
	t.Cleanup(srv.Close)
	f, err := (&registry.Client{BaseURL: srv.URL}).Passport(t.Context(), "UZ", number)
	if err != nil {
		t.Fatal(err)
	}
	want := &registry.Foreigner{Country: "UZ", Number: number, Surname: "KARIMOV", Citizenship: "UZ", BirthDate: "1991-04-17", ExpiresOn: "2029-06-02",
		Bans: []registry.Ban{{From: "2020-01-01", Until: "2021-01-01", Basis: "b"}}}
	if diff := cmp.Diff(want, f); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestClientTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for the handler

	c := &registry.Client{BaseURL: srv.URL, HTTP: &http.Client{Timeout: 50 * time.Millisecond}}
	start := time.Now()
	_, err := c.Passport(t.Context(), "UZ", number)
	checkUnavailable(t, err, "Timeout")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v", d)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err = (&registry.Client{BaseURL: srv.URL}).Passport(ctx, "UZ", number)
	checkUnavailable(t, err, "deadline exceeded")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want it to wrap context.DeadlineExceeded", err)
	}
}

func TestClientTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	_, err := (&registry.Client{BaseURL: srv.URL}).Passport(t.Context(), "UZ", number)
	checkUnavailable(t, err, "passport look-up")
}

// errRefused is a transport failure whose text quotes the URL.
var errRefused = errors.New("refused")

type quotingTransport struct{}

func (quotingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, &quoteError{r.URL.String()}
}

type quoteError struct{ url string }

func (e *quoteError) Error() string { return "proxy refused " + e.url }
func (e *quoteError) Unwrap() error { return errRefused }

func TestClientRedactsNumber(t *testing.T) {
	c := &registry.Client{BaseURL: "http://registry.invalid", HTTP: &http.Client{Transport: quotingTransport{}}}
	_, err := c.Passport(t.Context(), "UZ", number)
	checkUnavailable(t, err, "proxy refused http://registry.invalid/v1/passports/UZ/[number]")
	if !errors.Is(err, errRefused) {
		t.Errorf("err = %v, want it to wrap the cause", err)
	}
}
