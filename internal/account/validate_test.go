package account

import (
	"testing"
	"time"
)

func TestINNProblem(t *testing.T) {
	tests := []struct {
		inn, want string
	}{
		{"01234567890123", ""},               // organisation
		{"12203199012345", ""},               // man born 20.03.1990
		{"22902200012345", ""},               // woman born 29.02.2000 (a leap year)
		{"22902199912345", "inn.birth_date"}, // 29.02.1999 does not exist
		{"13113199012345", "inn.birth_date"}, // month 13
		{"31234567890123", "inn.first_digit"},
		{"0123456789012", "inn.length"},
		{"012345678901234", "inn.length"},
		{"0123456789012a", "inn.digits"},
		{"0123 567890123", "inn.digits"},
		{"12612202612345", "inn.birth_date"}, // born tomorrow
		{"", "inn.length"},
	}
	for _, tt := range tests {
		if got := INNProblem(tt.inn, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)); got != tt.want {
			t.Errorf("INNProblem(%q) = %q, want %q", tt.inn, got, tt.want)
		}
	}
}

func FuzzINNProblem(f *testing.F) {
	for _, s := range []string{"01234567890123", "12203199012345", "2", "", "99999999999999", "1\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, inn string) {
		p := INNProblem(inn, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
		if p == "" && (len(inn) != 14 || (inn[0] != '0' && inn[0] != '1' && inn[0] != '2')) {
			t.Fatalf("accepted %q", inn)
		}
	})
}

func TestValidatePerson(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	base := func() Registration {
		return Registration{Kind: FIE, Email: "a@example.test", Password: "long enough password", PasswordConfirm: "long enough password",
			Phone: "+996555123456", DraftKinds: []string{"photo", "passport_page"},
			Person: PersonProfile{Surname: "S", GivenName: "G", BirthDate: "1990-01-01", Citizenship: "UZ", PassportNo: "AB123456",
				PassportIssued: "2020-01-01", PassportExpires: "2030-01-01", Address: "Bishkek", Activity: "trade"}}
	}
	countries := func(c string) bool { return c == "UZ" }
	tests := []struct {
		name  string
		edit  func(*Registration)
		field string
		key   string
	}{
		{"valid", func(*Registration) {}, "", ""},
		{"under 18", func(r *Registration) { r.Person.BirthDate = "2010-01-01" }, "birth_date", "form.birth_date_range"},
		{"not a date", func(r *Registration) { r.Person.BirthDate = "invalid" }, "birth_date", "form.date_invalid"},
		{"expired passport", func(r *Registration) { r.Person.PassportExpires = "2026-11-24" }, "passport_expires", "form.passport_expired"},
		{"issued in the future", func(r *Registration) { r.Person.PassportIssued = "2027-01-01" }, "passport_issued", "form.date_future"},
		{"unknown country", func(r *Registration) { r.Person.Citizenship = "XX" }, "citizenship", "form.choose"},
		{"passport with symbols", func(r *Registration) { r.Person.PassportNo = "AB#1234" }, "passport_no", "form.passport_invalid"},
		{"no photo", func(r *Registration) { r.DraftKinds = []string{"passport_page"} }, "photo", "upload.required"},
		{"nomad without clients", func(r *Registration) { r.Kind = Nomad; r.Person.FieldOfWork = "IT" }, "clients_abroad", "form.required"},
		{"bad phone", func(r *Registration) { r.Phone = "12" }, "phone", "form.phone_invalid"},
		{"bad email", func(r *Registration) { r.Email = "a@b" }, "email", "form.email_invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			tt.edit(&r)
			fe := r.Validate(today, countries)
			if tt.field == "" {
				if len(fe) != 0 {
					t.Fatalf("problems %v, want none", fe)
				}
				return
			}
			if got := fe[tt.field].Key; got != tt.key {
				t.Fatalf("%s: %q, want %q (all: %v)", tt.field, got, tt.key, fe)
			}
		})
	}
}

// TestLoginKey: however an IIN is typed, its login attempts count against
// one key; emails are compared lower-cased.
func TestLoginKey(t *testing.T) {
	want := LoginKey("881215400466")
	for _, typed := range []string{"8812 1540 0466", " 881215400466\t", "881215\u00a0400466"} {
		if got := LoginKey(typed); got != want {
			t.Errorf("LoginKey(%q) = %q, want %q", typed, got, want)
		}
	}
	if LoginKey(" Someone@Example.TEST ") != "someone@example.test" {
		t.Error("emails are not normalized")
	}
}
