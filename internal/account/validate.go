package account

import (
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/password"
)

// Registration is what the registration form submits.
type Registration struct {
	Kind            Kind
	Email           string
	Password        string
	PasswordConfirm string
	Phone           string
	Lang            string
	Employer        EmployerProfile
	Person          PersonProfile
	Draft           string   // the form's draft id, which holds its uploads
	DraftKinds      []string // kinds of the documents already uploaded to the draft
}

func required(fe *apperr.FieldErrors, field, v string) bool {
	if strings.TrimSpace(v) == "" {
		fe.Add(field, "form.required")
		return false
	}
	return true
}

// contactProblems checks an email and a phone number.
func contactProblems(fe *apperr.FieldErrors, email, phone string) {
	if required(fe, "email", email) {
		if a, err := mail.ParseAddress(email); err != nil || a.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
			fe.Add("email", "form.email_invalid")
		}
	}
	if required(fe, "phone", phone) && !phoneRe.MatchString(phone) {
		fe.Add("phone", "form.phone_invalid")
	}
}

// passwordProblems checks a new password and its repetition.
func passwordProblems(fe *apperr.FieldErrors, pw, confirm string) {
	if required(fe, "password", pw) {
		if p := password.Problem(pw); p != "" {
			fe.Add("password", p)
		}
	}
	if required(fe, "password_confirm", confirm) && confirm != pw {
		fe.Add("password_confirm", "password.mismatch")
	}
}

// NormalizeEmail is how emails are compared and stored.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

var (
	phoneRe    = regexp.MustCompile(`^\+?[0-9]{9,15}$`)
	passportRe = regexp.MustCompile(`^[A-Z0-9]{5,20}$`)
)

// NormalizePassport removes spaces and dashes and upper-cases.
func NormalizePassport(s string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return r
	}, s))
}

// NormalizePhone keeps digits and a leading plus.
func NormalizePhone(s string) string {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
	if plus {
		return "+" + digits
	}
	return digits
}

// Validate checks a registration and returns the problems by form field.
// today is the calendar date in the jurisdiction, at 00:00 UTC like the
// parsed dates it is compared with; countries are the valid codes.
func (r *Registration) Validate(today time.Time, countries func(string) bool) apperr.FieldErrors {
	var fe apperr.FieldErrors
	required := func(field, v string) bool { return required(&fe, field, v) }
	contactProblems(&fe, r.Email, r.Phone)
	passwordProblems(&fe, r.Password, r.PasswordConfirm)
	switch r.Kind {
	case Employer:
		e := &r.Employer
		required("org_name", e.OrgName)
		if required("legal_form", e.LegalForm) && !slices.Contains(LegalForms, e.LegalForm) {
			fe.Add("legal_form", "form.choose")
		}
		if required("inn", e.INN) {
			if p := INNProblem(e.INN, today); p != "" {
				fe.Add("inn", p)
			}
		}
		required("registered_address", e.RegisteredAddress)
		required("actual_address", e.ActualAddress)
		required("head_name", e.HeadName)
		if !slices.Contains(r.DraftKinds, "registration_certificate") {
			fe.Add("registration_certificate", "upload.required")
		}
	case FIE, Nomad:
		p := &r.Person
		required("surname", p.Surname)
		required("given_name", p.GivenName)
		birth := dateField(&fe, "birth_date", p.BirthDate)
		if !birth.IsZero() && (birth.After(today.AddDate(-18, 0, 0)) || birth.Before(today.AddDate(-110, 0, 0))) {
			fe.Add("birth_date", "form.birth_date_range")
		}
		if required("citizenship", p.Citizenship) && !countries(p.Citizenship) {
			fe.Add("citizenship", "form.choose")
		}
		if required("passport_no", p.PassportNo) && !passportRe.MatchString(p.PassportNo) {
			fe.Add("passport_no", "form.passport_invalid")
		}
		issued := dateField(&fe, "passport_issued", p.PassportIssued)
		if !issued.IsZero() && issued.After(today) {
			fe.Add("passport_issued", "form.date_future")
		}
		expires := dateField(&fe, "passport_expires", p.PassportExpires)
		if !expires.IsZero() && !expires.After(today) {
			fe.Add("passport_expires", "form.passport_expired")
		}
		if !issued.IsZero() && !expires.IsZero() && !expires.After(issued) {
			fe.Add("passport_expires", "form.expires_before_issued")
		}
		required("address", p.Address)
		if r.Kind == FIE {
			required("activity", p.Activity)
		} else {
			required("field_of_work", p.FieldOfWork)
			required("clients_abroad", p.ClientsAbroad)
		}
		if !slices.Contains(r.DraftKinds, "photo") {
			fe.Add("photo", "upload.required")
		}
		if !slices.Contains(r.DraftKinds, "passport_page") {
			fe.Add("passport_page", "upload.required")
		}
	default:
		fe.Add("kind", "form.choose")
	}
	return fe
}

// dateField parses a YYYY-MM-DD date, recording a problem when it is
// missing or not a real date.
func dateField(fe *apperr.FieldErrors, field, v string) time.Time {
	if v == "" {
		fe.Add(field, "form.required")
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		fe.Add(field, "form.date_invalid")
		return time.Time{}
	}
	return t
}

// INNProblem returns the translation id of what is wrong with a Kyrgyz
// INN (taxpayer identification number), or "". The INN has 14 digits: 0
// first for an organisation; 1 or 2 (sex) first for a person, followed by
// the birth date DDMMYYYY. No check digit has been published, so none is
// checked.
func INNProblem(inn string, today time.Time) string {
	if len(inn) != 14 {
		return "inn.length"
	}
	for _, c := range inn {
		if c < '0' || c > '9' {
			return "inn.digits"
		}
	}
	switch inn[0] {
	case '0':
		return ""
	case '1', '2':
		d, err := time.Parse("02012006", inn[1:9])
		if err != nil || d.Year() < 1900 || d.After(today) {
			return "inn.birth_date"
		}
		return ""
	}
	return "inn.first_digit"
}
