package registry

import (
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// demoNow is already the next day in Bishkek: the demo must use the UTC date.
var demoNow = time.Date(2026, 11, 26, 3, 0, 0, 0, time.FixedZone("Bishkek", 6*3600)) // 25th, 21:00 UTC

const demoToday = "2026-11-25"

func demoAt(now time.Time) *Demo { return &Demo{Now: func() time.Time { return now }} }

func after(day string, days int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	return t.AddDate(0, 0, days).Format(time.DateOnly)
}

// categoryProblem says why f is not in category on today, or "".
func categoryProblem(f *Foreigner, category, today string) string {
	ban, permit, revoked := f.BannedOn(today), f.PermitOn(today), f.Revocations()
	passportValid := f.ExpiresOn > after(today, 60)
	switch category {
	case "ban":
		switch {
		case ban == nil:
			return "no ban in force"
		case ban.Basis == "":
			return "a ban without a basis"
		case !passportValid:
			return "passport expires soon"
		}
	case "expired":
		if f.ExpiresOn >= today {
			return "passport not expired"
		}
	case "expiring":
		if f.ExpiresOn < today || f.ExpiresOn > after(today, 60) {
			return "passport does not expire within 60 days"
		}
	case "permit":
		switch {
		case permit == nil:
			return "no valid permit"
		case !strings.HasPrefix(permit.Number, "WP-KG-"):
			return "permit number " + permit.Number
		case ban != nil || !passportValid:
			return "not otherwise eligible"
		}
	case "revoked":
		switch {
		case len(revoked) == 0:
			return "no revocation"
		case revoked[0].RevokedOn >= today || revoked[0].RevokeReason == "":
			return "revocation not in the past or without a reason"
		case permit != nil || ban != nil || !passportValid:
			return "not otherwise eligible"
		}
	case "eligible":
		if ban != nil || len(f.Permits) > 0 || len(f.Bans) > 0 || f.ExpiresOn < after(today, 3*365) || f.ExpiresOn > after(today, 8*366) {
			return "not eligible"
		}
	default:
		return "unknown category " + category
	}
	return ""
}

func TestDemoExamples(t *testing.T) {
	d := demoAt(demoNow)
	seen := map[string]bool{}
	for _, e := range DemoExamples() {
		f, err := d.Passport(t.Context(), e.Country, e.Number)
		if err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
		if p := categoryProblem(f, e.Category, demoToday); p != "" {
			t.Errorf("%+v: %s: %+v", e, p, f)
		}
		seen[e.Category] = true
	}
	for _, c := range []string{"ban", "expired", "expiring", "permit", "revoked", "eligible"} {
		if !seen[c] {
			t.Errorf("no example of category %s", c)
		}
	}
}

// TestDemoPeople checks every person: reachable, distinct, in the category
// of their number, with well-formed fields.
func TestDemoPeople(t *testing.T) {
	d := demoAt(demoNow)
	categories := map[int]string{1: "ban", 2: "expired", 3: "expiring", 4: "permit", 5: "revoked"}
	numbers := map[string]bool{}
	names := map[string]bool{}
	for _, c := range demoCountries {
		if len(c.male) < 8 || len(c.female) < 8 || len(c.surnames) < 8 || (c.patronymics != nil && len(c.patronymics) < 8) {
			t.Errorf("%s: fewer than 8 names of a kind", c.code)
		}
		for i := 1; i <= DemoPerCountry; i++ {
			f, err := d.Passport(t.Context(), c.code, demoNumber(c.prefix, i))
			if err != nil {
				t.Fatalf("%s %d: %v", c.code, i, err)
			}
			numbers[f.Country+f.Number] = true
			names[f.Surname+" "+f.GivenName+" "+f.Patronymic+" "+f.BirthDate] = true
			category, ok := categories[i%10]
			if !ok {
				category = "eligible"
			}
			if p := categoryProblem(f, category, demoToday); p != "" {
				t.Errorf("%s %d (%s): %s: %+v", c.code, i, category, p, f)
			}
			if i%10 == 1 && (f.Bans[0].Until == "") != ((i/10)%2 == 0) {
				t.Errorf("%s %d: ban until %q", c.code, i, f.Bans[0].Until)
			}
			for _, day := range []string{f.BirthDate, f.IssuedOn, f.ExpiresOn} {
				if _, err := time.Parse(time.DateOnly, day); err != nil {
					t.Errorf("%s %d: %v", c.code, i, err)
				}
			}
			if f.BirthDate > "2006-01-01" || f.BirthDate < "1970-12-01" { // 20 to 55 years before 2026
				t.Errorf("%s %d: born %s", c.code, i, f.BirthDate)
			}
			if f.IssuedOn >= f.ExpiresOn || f.IssuedOn > demoToday || f.Citizenship != c.code || !f.Demo ||
				(f.Sex != "M" && f.Sex != "F") || f.GivenName == "" || f.Surname == "" || (c.patronymics != nil) != (f.Patronymic != "") {
				t.Errorf("%s %d: %+v", c.code, i, f)
			}
		}
	}
	if len(numbers) < 1000 {
		t.Errorf("%d distinct people, want at least 1000", len(numbers))
	}
	if len(names) < 1000 {
		t.Errorf("%d distinct names and birth dates, want at least 1000", len(names))
	}
}

func TestDemoDeterministic(t *testing.T) {
	later := demoNow.Add(-10 * time.Hour) // same UTC date
	for _, e := range DemoExamples() {
		a, err := demoAt(demoNow).Passport(t.Context(), e.Country, e.Number)
		if err != nil {
			t.Fatal(err)
		}
		b, err := demoAt(later).Passport(t.Context(), e.Country, e.Number)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(a, b); diff != "" {
			t.Errorf("%+v mismatch (-first +second):\n%s", e, diff)
		}
	}
	// A year later the person is the same, with dates a year on.
	a, _ := demoAt(demoNow).Passport(t.Context(), "UZ", "AA0000004")
	b, _ := demoAt(demoNow.AddDate(1, 0, 0)).Passport(t.Context(), "UZ", "AA0000004")
	if a.Surname != b.Surname || a.GivenName != b.GivenName || a.ExpiresOn >= b.ExpiresOn || b.PermitOn("2027-11-25") == nil {
		t.Errorf("a year on: %+v, then %+v", a, b)
	}
}

func TestDemoLookup(t *testing.T) {
	d := demoAt(demoNow)
	found := []struct{ country, number string }{
		{"UZ", "AA0000001"},
		{"uz", "aa 000-0001"},
		{" Uz ", "AA 0000001"},
		{"TJ", "tj0000100"},
	}
	for _, tt := range found {
		f, err := d.Passport(t.Context(), tt.country, tt.number)
		if err != nil {
			t.Errorf("Passport(%q, %q): %v", tt.country, tt.number, err)
			continue
		}
		if f.Country != strings.ToUpper(strings.TrimSpace(tt.country)) || f.Number != NormalizeNumber(tt.number) {
			t.Errorf("Passport(%q, %q) = %s %s", tt.country, tt.number, f.Country, f.Number)
		}
	}
	notFound := []struct{ country, number string }{
		{"UZ", "AA0000000"},
		{"UZ", "AA0001001"},
		{"UZ", "AA000001"},   // six digits
		{"UZ", "AA00000001"}, // eight digits
		{"UZ", "TJ0000001"},  // another country's prefix
		{"KG", "KG0000001"},  // not in the demo
		{"XX", "AA0000001"},
		{"", "AA0000001"},
		{"UZ", ""},
		{"UZ", "АА0000001"}, // Cyrillic
	}
	for _, tt := range notFound {
		if _, err := d.Passport(t.Context(), tt.country, tt.number); !errors.Is(err, ErrNotFound) {
			t.Errorf("Passport(%q, %q) = %v, want ErrNotFound", tt.country, tt.number, err)
		}
	}
	var nilNow Demo // nil Now → the clock
	if f, err := nilNow.Passport(t.Context(), "US", "US0000010"); err != nil || !f.Demo {
		t.Errorf("Demo{}.Passport = %+v, %v", f, err)
	}
}

// TestDemoDocumented checks the demo's prefixes and examples in
// docs/registries.md against the code.
func TestDemoDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/registries.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Demo registry\n")
	if !ok {
		t.Fatal("docs/registries.md has no section Demo registry")
	}
	section, _, _ = strings.Cut(section, "\n## ")

	var wantPrefixes, gotPrefixes []string
	for _, c := range demoCountries {
		first, last := demoNumber(c.prefix, 1), demoNumber(c.prefix, DemoPerCountry)
		wantPrefixes = append(wantPrefixes, c.code+" "+c.prefix+" "+first+"–"+last)
	}
	prefixRow := regexp.MustCompile(`(?m)^\| [^|]+ \| ([A-Z]{2}) \| ([A-Z]{2}) \| (\w+–\w+) \|$`)
	for _, m := range prefixRow.FindAllStringSubmatch(section, -1) {
		gotPrefixes = append(gotPrefixes, m[1]+" "+m[2]+" "+m[3])
	}
	if diff := cmp.Diff(wantPrefixes, gotPrefixes); diff != "" {
		t.Errorf("prefixes in docs/registries.md mismatch (-want +got):\n%s", diff)
	}

	var got []DemoExample
	exampleRow := regexp.MustCompile(`(?m)^\| ([a-z]+) \| ([A-Z]{2}) \| ([A-Z0-9]+) \|$`)
	for _, m := range exampleRow.FindAllStringSubmatch(section, -1) {
		got = append(got, DemoExample{m[1], m[2], m[3]})
	}
	if diff := cmp.Diff(DemoExamples(), got); diff != "" {
		t.Errorf("examples in docs/registries.md mismatch (-want +got):\n%s", diff)
	}
}

func BenchmarkDemoPassport(b *testing.B) {
	d := demoAt(demoNow)
	for b.Loop() {
		if _, err := d.Passport(b.Context(), "UZ", "AA0000055"); err != nil {
			b.Fatal(err)
		}
	}
}
