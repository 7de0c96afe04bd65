package registry

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/emgek/emgek/internal/kzid"
)

func demoIndividualsAt(now time.Time) *DemoIndividuals {
	return &DemoIndividuals{Now: func() time.Time { return now }}
}

// cyrillic reports whether s is Cyrillic letters, spaces and hyphens only.
func cyrillic(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Cyrillic, r) && r != ' ' && r != '-' {
			return false
		}
	}
	return s != ""
}

// age is the age in whole years on today.
func age(birth, today string) int {
	b, _ := time.Parse(time.DateOnly, birth)
	t, _ := time.Parse(time.DateOnly, today)
	a := t.Year() - b.Year()
	if t.Month() < b.Month() || t.Month() == b.Month() && t.Day() < b.Day() {
		a--
	}
	return a
}

// TestDemoIndividualsPeople checks every person: reachable by an IIN that
// kzid parses to their birth date and sex, distinct, with well-formed
// fields, and with a family whose members are demo people pointing back.
func TestDemoIndividualsPeople(t *testing.T) {
	d := demoIndividualsAt(demoNow)
	people := map[string]*Individual{}
	names := map[string]bool{}
	var minors, deceased, married, foreign int
	for i := 1; i <= DemoIndividualsCount; i++ {
		iin := demoCitizenAt(i).iin
		p, err := d.Individual(t.Context(), iin)
		if err != nil {
			t.Fatalf("person %d: %v", i, err)
		}
		parsed, err := kzid.ParseIIN(p.IIN)
		if err != nil {
			t.Fatalf("person %d: IIN: %v", i, err)
		}
		if p.IIN != iin || parsed.BirthDate.Format(time.DateOnly) != p.BirthDate || parsed.Male != (p.Sex == "M") ||
			(p.Sex != "M" && p.Sex != "F") || p.IIN[7:11] != fmt.Sprintf("%04d", i) {
			t.Errorf("person %d: IIN %s does not match %+v", i, p.IIN, p)
		}
		if !p.Demo || !cyrillic(p.Surname) || !cyrillic(p.GivenName) || !cyrillic(p.Patronymic) || p.Address == "" ||
			len(p.Citizenship) != 2 || !strings.HasPrefix(p.Address, "г. ") {
			t.Errorf("person %d: %+v", i, p)
		}
		if p.Deceased != "" && (p.Deceased <= p.BirthDate || p.Deceased > demoToday) {
			t.Errorf("person %d: born %s, died %s", i, p.BirthDate, p.Deceased)
		}
		people[p.IIN] = p
		names[p.Surname+" "+p.GivenName+" "+p.Patronymic+" "+p.BirthDate] = true
		if age(p.BirthDate, demoToday) < 18 {
			minors++
		}
		if p.Deceased != "" {
			deceased++
		}
		if p.Citizenship != "KZ" {
			foreign++
		}
		for _, r := range p.Family {
			if r.Relation == RelationSpouse {
				married++
			}
		}
	}
	if len(people) != DemoIndividualsCount || len(people) < 1000 {
		t.Errorf("%d distinct IINs, want %d (at least 1000)", len(people), DemoIndividualsCount)
	}
	if len(names) < 1000 {
		t.Errorf("%d distinct names and birth dates, want at least 1000", len(names))
	}
	if minors < 100 || deceased < 100 || married < 200 || foreign < 10 || foreign > DemoIndividualsCount/10 {
		t.Errorf("%d minors, %d deceased, %d married, %d foreign", minors, deceased, married, foreign)
	}

	// Families: every relative is a demo person, and the relation is mutual.
	back := map[string]string{RelationSpouse: RelationSpouse, RelationChild: RelationParent, RelationParent: RelationChild}
	for _, p := range people {
		for _, r := range p.Family {
			q, ok := people[r.IIN]
			if !ok {
				t.Errorf("%s: relative %+v is not a demo person", p.IIN, r)
				continue
			}
			if want := q.Surname + " " + q.GivenName + " " + q.Patronymic; r.Name != want {
				t.Errorf("%s: relative named %q, is %q", p.IIN, r.Name, want)
			}
			if !hasRelative(q, back[r.Relation], p.IIN) {
				t.Errorf("%s is %s's %s, not the other way round", r.IIN, p.IIN, r.Relation)
			}
			if r.Relation == RelationChild && (q.BirthDate <= p.BirthDate || strings.TrimSuffix(q.Surname, "а") != strings.TrimSuffix(p.Surname, "а")) {
				t.Errorf("%s: child %+v", p.IIN, q)
			}
			if r.Relation == RelationSpouse && (q.Sex == p.Sex || q.Address != p.Address || age(q.BirthDate, demoToday) < 18) {
				t.Errorf("%s: spouse %+v", p.IIN, q)
			}
		}
	}
}

func hasRelative(p *Individual, relation, iin string) bool {
	for _, r := range p.Family {
		if r.Relation == relation && r.IIN == iin {
			return true
		}
	}
	return false
}

func TestDemoIndividualExamples(t *testing.T) {
	d := demoIndividualsAt(demoNow)
	heads := map[string]bool{}
	for j := 1; j <= DemoOrganisationsCount; j++ {
		heads[demoOrganisation(j).HeadIIN] = true
	}
	seen := map[string]bool{}
	for _, e := range DemoIndividualExamples() {
		p, err := d.Individual(t.Context(), e.Number)
		if err != nil {
			t.Fatalf("%+v: %v", e, err)
		}
		if e.Country != "KZ" {
			t.Errorf("%+v: country", e)
		}
		adult := age(p.BirthDate, demoToday) >= 18
		var problem string
		switch e.Category {
		case "adult":
			if !adult || p.Deceased != "" || len(p.Family) != 0 {
				problem = "not a single adult alive"
			}
		case "minor":
			if adult || p.Deceased != "" || !hasRelation(p, RelationParent) {
				problem = "not a minor with parents"
			}
		case "deceased":
			if p.Deceased == "" {
				problem = "not deceased"
			}
		case "married":
			if !adult || p.Deceased != "" || !hasRelation(p, RelationSpouse) || !hasRelation(p, RelationChild) {
				problem = "not married with children"
			}
		case "head":
			if !adult || p.Deceased != "" || !heads[p.IIN] {
				problem = "not the head of a demo organisation"
			}
		default:
			problem = "unknown category"
		}
		if problem != "" {
			t.Errorf("%+v: %s: %+v", e, problem, p)
		}
		seen[e.Category] = true
	}
	for _, c := range []string{"adult", "minor", "deceased", "married", "head"} {
		if !seen[c] {
			t.Errorf("no example of category %s", c)
		}
	}
	// Minors stay minors for years: the youngest adult child is not one.
	if p, _ := d.Individual(t.Context(), DemoIndividualExamples()[1].Number); age(p.BirthDate, "2031-12-31") >= 18 {
		t.Errorf("minor example is 18 by 2031: %+v", p)
	}
}

func hasRelation(p *Individual, relation string) bool {
	for _, r := range p.Family {
		if r.Relation == relation {
			return true
		}
	}
	return false
}

func TestDemoIndividualsDeterministic(t *testing.T) {
	for _, now := range []time.Time{demoNow.Add(-10 * time.Hour), demoNow.AddDate(1, 0, 0)} {
		for i := 1; i <= 100; i++ {
			iin := demoCitizenAt(i).iin
			a, err := demoIndividualsAt(demoNow).Individual(t.Context(), iin)
			if err != nil {
				t.Fatal(err)
			}
			b, err := demoIndividualsAt(now).Individual(t.Context(), iin)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(a, b); diff != "" {
				t.Errorf("person %d on %v mismatch (-first +second):\n%s", i, now, diff)
			}
		}
	}
	a, b := DemoIndividualExamples(), DemoIndividualExamples()
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("examples differ:\n%s", diff)
	}
}

func TestDemoIndividualsAsOf(t *testing.T) {
	// In 2010 the minors (born 2014 on) are not yet born and the deaths
	// after 2010 not yet recorded.
	d := demoIndividualsAt(time.Date(2010, 6, 1, 12, 0, 0, 0, time.UTC))
	ex := DemoIndividualExamples()
	if _, err := d.Individual(t.Context(), ex[1].Number); !errors.Is(err, ErrNotFound) {
		t.Errorf("minor in 2010: %v, want ErrNotFound", err)
	}
	married, err := d.Individual(t.Context(), ex[0].Number)
	if err != nil {
		t.Fatal(err)
	}
	today, _ := demoIndividualsAt(demoNow).Individual(t.Context(), ex[0].Number)
	if len(married.Family) != len(today.Family)-1 {
		t.Errorf("family in 2010 %+v, today %+v: want the minor left out", married.Family, today.Family)
	}
	for _, r := range married.Family {
		if p, err := kzid.ParseIIN(r.IIN); err != nil || p.BirthDate.After(time.Date(2010, 6, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("relative born after 2010 listed in 2010: %+v", r)
		}
	}
	for i := 5; i <= DemoIndividualsCount; i += 10 {
		p, err := d.Individual(t.Context(), demoCitizenAt(i).iin)
		if err != nil {
			t.Fatal(err)
		}
		if p.Deceased > "2010-06-01" {
			t.Errorf("person %d died %s, recorded in 2010", i, p.Deceased)
		}
	}
	var nilNow DemoIndividuals // nil Now → the clock
	if p, err := nilNow.Individual(t.Context(), ex[0].Number); err != nil || !p.Demo {
		t.Errorf("DemoIndividuals{}.Individual = %+v, %v", p, err)
	}
}

func TestDemoIndividualsNotFound(t *testing.T) {
	d := demoIndividualsAt(demoNow)
	first := demoCitizenAt(1)
	invalid := []string{"", "1", "abc", "123456789012", first.iin + "0", first.iin[:11] + string('0'+(first.iin[11]-'0'+1)%10)}
	generated := []string{
		kzid.NewIIN(first.birth, first.male, 0),                      // serial 0
		kzid.NewIIN(first.birth, first.male, DemoIndividualsCount+1), // beyond the demo
		kzid.NewIIN(first.birth, first.male, 2),                      // person 2 has another birth date
		kzid.NewIIN(first.birth, !first.male, 1),                     // the other sex
		kzid.NewIIN(first.birth.AddDate(0, 0, 1), first.male, 1),     // another birth date
	}
	for _, iin := range generated {
		if _, err := kzid.ParseIIN(iin); iin != "" && err != nil {
			t.Fatalf("NewIIN gave %q: %v", iin, err)
		}
	}
	for _, iin := range append(append(invalid, generated...), demoOrganisation(1).BIN) {
		if _, err := d.Individual(t.Context(), iin); !errors.Is(err, ErrNotFound) {
			t.Errorf("Individual(%q) = %v, want ErrNotFound", iin, err)
		}
	}
	// Spaces are ignored, as kzid.ParseIIN does.
	spaced := first.iin[:6] + " " + first.iin[6:]
	if p, err := d.Individual(t.Context(), spaced); err != nil || p.IIN != first.iin {
		t.Errorf("Individual(%q) = %+v, %v", spaced, p, err)
	}
}

func TestDemoOrganisations(t *testing.T) {
	d := &DemoOrganisations{}
	people := demoIndividualsAt(demoNow)
	bins, names := map[string]bool{}, map[string]bool{}
	liquidated := 0
	for j := 1; j <= DemoOrganisationsCount; j++ {
		bin := demoOrganisation(j).BIN
		o, err := d.Organisation(t.Context(), bin)
		if err != nil {
			t.Fatalf("organisation %d: %v", j, err)
		}
		b, err := kzid.ParseBIN(o.BIN)
		if err != nil || b.Type != 4 || b.Attribute != 0 || digitsValue(o.BIN[6:11]) != j {
			t.Errorf("organisation %d: BIN %s: %+v, %v", j, o.BIN, b, err)
		}
		if b.Registered.Format("2006-01") != o.Registered[:7] || o.Registered < "1995-01-01" || o.Registered > demoToday {
			t.Errorf("organisation %d: BIN %s, registered %s", j, o.BIN, o.Registered)
		}
		if !o.Demo || !strings.HasPrefix(o.Name, o.LegalForm+" «") || o.Address == "" ||
			(o.Liquidated != "" && (o.Liquidated <= o.Registered || o.Liquidated > demoToday)) {
			t.Errorf("organisation %d: %+v", j, o)
		}
		head, err := people.Individual(t.Context(), o.HeadIIN)
		if err != nil {
			t.Fatalf("organisation %d: head: %v", j, err)
		}
		if o.HeadName != head.Surname+" "+head.GivenName+" "+head.Patronymic || head.Deceased != "" || age(head.BirthDate, demoToday) < 18 {
			t.Errorf("organisation %d: head %q is %+v", j, o.HeadName, head)
		}
		bins[o.BIN], names[o.Name] = true, true
		if o.Liquidated != "" {
			liquidated++
		}
	}
	if len(bins) != DemoOrganisationsCount || len(names) != DemoOrganisationsCount || DemoOrganisationsCount < 50 {
		t.Errorf("%d BINs, %d names, want %d distinct", len(bins), len(names), DemoOrganisationsCount)
	}
	if liquidated != DemoOrganisationsCount/10 {
		t.Errorf("%d liquidated", liquidated)
	}

	first := demoOrganisation(1)
	reg, _ := time.Parse(time.DateOnly, first.Registered)
	for _, bin := range []string{
		"", "960840000018", demoCitizenAt(1).iin,
		kzid.NewBIN(reg, 4, 0, 0), kzid.NewBIN(reg, 4, 0, DemoOrganisationsCount+1),
		kzid.NewBIN(reg, 4, 1, 1), kzid.NewBIN(reg.AddDate(0, 1, 0), 4, 0, 1), kzid.NewBIN(reg, 4, 0, 2),
	} {
		if _, err := d.Organisation(t.Context(), bin); !errors.Is(err, ErrNotFound) {
			t.Errorf("Organisation(%q) = %v, want ErrNotFound", bin, err)
		}
	}
}

// TestDemoIndividualsDocumented checks the examples in docs/registries.md
// against the code.
func TestDemoIndividualsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/registries.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Individuals (Kazakhstan, by IIN)\n")
	if !ok {
		t.Fatal("docs/registries.md has no section Individuals (Kazakhstan, by IIN)")
	}
	section, rest, _ := strings.Cut(section, "\n## ")
	var got []DemoExample
	row := regexp.MustCompile(`(?m)^\| ([a-z]+) \| (\d{12}) \|$`)
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		got = append(got, DemoExample{m[1], "KZ", m[2]})
	}
	if diff := cmp.Diff(DemoIndividualExamples(), got); diff != "" {
		t.Errorf("examples in docs/registries.md mismatch (-want +got):\n%s", diff)
	}
	first := demoOrganisation(1)
	if want := "`" + first.BIN + "`, " + first.Name + ", headed by\n`" + first.HeadIIN + "`"; !strings.Contains(rest, want) {
		t.Errorf("section Organisations does not name the first demo organisation: %s", want)
	}
}

func BenchmarkDemoIndividual(b *testing.B) {
	d := demoIndividualsAt(demoNow)
	iin := demoCitizenAt(1).iin // the one with the most family
	for b.Loop() {
		if _, err := d.Individual(b.Context(), iin); err != nil {
			b.Fatal(err)
		}
	}
}
