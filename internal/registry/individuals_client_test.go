package registry_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/emgek/emgek/internal/registry"
)

// kzExamples are the examples of the Kazakh registries in docs/registries.md.
func kzExamples(t *testing.T) []example {
	t.Helper()
	var out []example
	for _, ex := range readExamples(t) {
		if strings.HasPrefix(ex.path, "/v1/individuals/") || strings.HasPrefix(ex.path, "/v1/organisations/") {
			out = append(out, ex)
		}
	}
	return out
}

func TestIndividualsClientExamples(t *testing.T) {
	examples := kzExamples(t)
	wantIndividuals := map[string]*registry.Individual{
		"individual-found": {
			IIN: "780314351230", Surname: "Нуржанов", GivenName: "Ерболат", Patronymic: "Серикович",
			BirthDate: "1978-03-14", Sex: "M", Citizenship: "KZ", Address: "г. Астана, ул. Кенесары, д. 40, кв. 12",
			Family: []registry.Relative{
				{Relation: "spouse", IIN: "810902451241", Name: "Нуржанова Айгуль Бекболатовна"},
				{Relation: "child", IIN: "090621551258", Name: "Нуржанов Алихан Ерболатович"},
				{Relation: "child", IIN: "161105651267", Name: "Нуржанова Амина Ерболатовна"},
				{Relation: "parent", IIN: "490130351273", Name: "Нуржанов Серик Абенович"},
			},
		},
		"individual-deceased": {
			IIN: "430509452104", Surname: "Абдрахманова", GivenName: "Бибигуль", BirthDate: "1943-05-09", Sex: "F",
			Citizenship: "KZ", Address: "г. Темиртау, ул. Мира, д. 5, кв. 3", Deceased: "2021-12-03",
			Family: []registry.Relative{{Relation: "child", IIN: "680217352111", Name: "Абдрахманов Нурлан Асанович"}},
		},
		"individual-not-found": nil, // ErrNotFound
	}
	wantOrganisations := map[string]*registry.Organisation{
		"organisation-found": {
			BIN: "110440123458", Name: "ТОО «Нур Курылыс Сервис»", LegalForm: "ТОО", Address: "г. Астана, ул. Сейфуллина, д. 55, офис 301",
			HeadIIN: "780314351230", HeadName: "Нуржанов Ерболат Серикович", Registered: "2011-04-19",
		},
		"organisation-liquidated": {
			BIN: "041040234561", Name: "АО «Караганда Агро»", LegalForm: "АО", Address: "г. Караганда, ул. Ерубаева, д. 12",
			Registered: "2004-10-05", Liquidated: "2019-06-28",
		},
		"organisation-not-found": nil,
	}
	if len(examples) != len(wantIndividuals)+len(wantOrganisations) {
		t.Errorf("docs/registries.md has %d Kazakh examples, the test knows %d", len(examples), len(wantIndividuals)+len(wantOrganisations))
	}

	srv, requests := exampleServer(t, examples)
	ic := &registry.IndividualsClient{BaseURL: srv.URL + "/api/", Token: "secret-token"}
	oc := &registry.OrganisationsClient{BaseURL: srv.URL + "/api", Token: "secret-token"}
	for _, ex := range examples {
		t.Run(ex.name, func(t *testing.T) {
			parts := strings.Split(ex.path, "/") // "", "v1", "individuals" or "organisations", id
			if len(parts) != 4 || ex.method != http.MethodGet {
				t.Fatalf("example %s: %s %s", ex.name, ex.method, ex.path)
			}
			var got any
			var err error
			var want any
			var notFound bool
			switch parts[2] {
			case "individuals":
				w, ok := wantIndividuals[ex.name]
				if !ok {
					t.Fatalf("example %s is not known to the test", ex.name)
				}
				got, err = ic.Individual(t.Context(), parts[3])
				want, notFound = w, w == nil
			case "organisations":
				w, ok := wantOrganisations[ex.name]
				if !ok {
					t.Fatalf("example %s is not known to the test", ex.name)
				}
				got, err = oc.Organisation(t.Context(), parts[3])
				want, notFound = w, w == nil
			default:
				t.Fatalf("example %s: unknown path %s", ex.name, ex.path)
			}
			reqs := requests()
			if len(reqs) == 0 {
				t.Fatal("no request")
			}
			if diff := cmp.Diff(seen{"/api" + ex.path, "application/json", "Bearer secret-token"}, reqs[len(reqs)-1]); diff != "" {
				t.Errorf("request mismatch (-want +got):\n%s", diff)
			}
			if notFound {
				if !errors.Is(err, registry.ErrNotFound) {
					t.Fatalf("got %+v, %v; want ErrNotFound", got, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIndividualsClientValidates(t *testing.T) {
	srv, requests := exampleServer(t, kzExamples(t))
	ic := &registry.IndividualsClient{BaseURL: srv.URL + "/api"}
	oc := &registry.OrganisationsClient{BaseURL: srv.URL + "/api"}
	if p, err := ic.Individual(t.Context(), " 780314 351\u00a0230 "); err != nil || p.IIN != "780314351230" {
		t.Fatalf("Individual with spaces = %+v, %v", p, err)
	}
	if o, err := oc.Organisation(t.Context(), "110440 123458"); err != nil || o.BIN != "110440123458" {
		t.Fatalf("Organisation with spaces = %+v, %v", o, err)
	}
	want := []seen{{"/api/v1/individuals/780314351230", "application/json", ""}, {"/api/v1/organisations/110440123458", "application/json", ""}}
	if diff := cmp.Diff(want, requests()); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}

	// Nothing to ask about: no request.
	for _, in := range []string{"", "78031435123", "780314351231", "78031435123x", "781314351230", "110440123458", "780314-351230"} {
		if _, err := ic.Individual(t.Context(), in); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Individual(%q) = %v, want ErrNotFound", in, err)
		}
	}
	for _, in := range []string{"", "11044012345", "110440123459", "780314351230", "111340123458"} {
		if _, err := oc.Organisation(t.Context(), in); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Organisation(%q) = %v, want ErrNotFound", in, err)
		}
	}
	if n := len(requests()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
}

const (
	kzIIN = "780314351230" // must never appear in an error
	kzBIN = "110440123458"
)

func TestIndividualsClientUnavailable(t *testing.T) {
	const person = `{"iin":"780314351230","surname":"Нуржанов","birth_date":"1978-03-14","deceased":null,"family":[]}`
	const org = `{"bin":"110440123458","name":"ТОО «Нур»","registered":"2011-04-19","liquidated":null}`
	answer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	edit := func(s, old, new string) string { return strings.Replace(s, old, new, 1) }
	tests := []struct {
		name       string
		individual bool
		handler    http.HandlerFunc
		want       string // in the error
	}{
		{"500", true, answer(500, "cannot look up "+kzIIN), "individual look-up: status 500"},
		{"404 not the contract's", true, http.NotFound, "status 404"},
		{"404 another error", true, answer(404, `{"error":"no_route"}`), "status 404"},
		{"malformed", true, answer(200, `{"iin":"`+kzIIN+`"`), "unreadable"},
		{"null", true, answer(200, "null"), "lacks iin"},
		{"lacks surname", true, answer(200, edit(person, `"surname":"Нуржанов",`, "")), "lacks surname"},
		{"lacks birth date", true, answer(200, edit(person, `"1978-03-14"`, "null")), "lacks birth_date"},
		{"another person", true, answer(200, edit(person, kzIIN, "780314351240")), "another person"},
		{"date shape", true, answer(200, edit(person, `"1978-03-14"`, `"14.03.1978"`)), "malformed birth_date"},
		{"deceased shape", true, answer(200, edit(person, `"deceased":null`, `"deceased":"2021"`)), "malformed deceased"},
		{"family type", true, answer(200, edit(person, `"family":[]`, `"family":"`+kzIIN+`"`)), "unreadable"},
		{"too large", true, answer(200, strings.Repeat(" ", 1<<20)+person), "larger than 1 MiB"},
		{"org 503", false, answer(503, ""), "organisation look-up: status 503"},
		{"org 404 not the contract's", false, http.NotFound, "status 404"},
		{"org lacks name", false, answer(200, edit(org, `"name":"ТОО «Нур»",`, "")), "lacks name"},
		{"org lacks registered", false, answer(200, edit(org, `"registered":"2011-04-19",`, "")), "lacks registered"},
		{"org another", false, answer(200, edit(org, kzBIN, "110440123466")), "another organisation"},
		{"org liquidated shape", false, answer(200, edit(org, `"liquidated":null`, `"liquidated":"28.06.2019"`)), "malformed liquidated"},
		{"org html", false, answer(200, "<html>"+kzBIN+"</html>"), "unreadable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			var err error
			secret := kzIIN
			if tt.individual {
				_, err = (&registry.IndividualsClient{BaseURL: srv.URL}).Individual(t.Context(), kzIIN)
			} else {
				secret = kzBIN
				_, err = (&registry.OrganisationsClient{BaseURL: srv.URL}).Organisation(t.Context(), kzBIN)
			}
			checkKZUnavailable(t, err, secret, tt.want)
		})
	}
}

func checkKZUnavailable(t *testing.T, err error, secret, want string) {
	t.Helper()
	if !errors.Is(err, registry.ErrUnavailable) || errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if msg := err.Error(); strings.Contains(msg, secret) || !strings.Contains(msg, want) {
		t.Errorf("err = %q, want it to say %q and not the identifier", msg, want)
	}
}

func TestIndividualsClientRedacts(t *testing.T) {
	hc := &http.Client{Transport: quotingTransport{}}
	_, err := (&registry.IndividualsClient{BaseURL: "http://registry.invalid", HTTP: hc}).Individual(t.Context(), kzIIN)
	checkKZUnavailable(t, err, kzIIN, "proxy refused http://registry.invalid/v1/individuals/[iin]")
	if !errors.Is(err, errRefused) {
		t.Errorf("err = %v, want it to wrap the cause", err)
	}
	_, err = (&registry.OrganisationsClient{BaseURL: "http://registry.invalid", HTTP: hc}).Organisation(t.Context(), kzBIN)
	checkKZUnavailable(t, err, kzBIN, "proxy refused http://registry.invalid/v1/organisations/[bin]")

	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	_, err = (&registry.IndividualsClient{BaseURL: srv.URL}).Individual(t.Context(), kzIIN)
	checkKZUnavailable(t, err, kzIIN, "individual look-up")
}

func TestIndividualsClientIgnoresUnknownFields(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"iin":"780314351230","surname":"Нуржанов","birth_date":"1978-03-14","citizenship":"kz","photo":{"ok":true},
			"family":[{"relation":"sibling","iin":"800101350011","name":"Нуржанов Асет","since":"2000-01-01"}],"schema":2}`)
	}))
	t.Cleanup(srv.Close)
	p, err := (&registry.IndividualsClient{BaseURL: srv.URL}).Individual(t.Context(), kzIIN)
	if err != nil {
		t.Fatal(err)
	}
	want := &registry.Individual{IIN: kzIIN, Surname: "Нуржанов", BirthDate: "1978-03-14", Citizenship: "KZ",
		Family: []registry.Relative{{Relation: "sibling", IIN: "800101350011", Name: "Нуржанов Асет"}}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}
