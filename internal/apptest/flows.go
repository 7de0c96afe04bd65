package apptest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/staff"
)

// PDF is a small valid PDF for uploads.
var PDF = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

// PNG is a 1×1 PNG for uploads.
var PNG = []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1,
	8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0, 1, 0, 0, 5, 0, 1,
	0x0d, 0x0a, 0x2d, 0xb4, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82}

// Password is a password every check accepts.
const Password = "correct horse battery staple"

// EmployerFields are the fields of a valid employer registration.
func EmployerFields(email string) [][2]string {
	return [][2]string{
		{"org_name", "Test Build LLC"}, {"legal_form", "llc"}, {"inn", "01234567890123"},
		{"registered_address", "Bishkek, Chui Ave 1"}, {"actual_address", "Bishkek, Manas Ave 10"},
		{"head_name", "Asanov Bakyt"}, {"phone", "+996 555 123 456"}, {"email", email},
		{"password", Password}, {"password_confirm", Password},
	}
}

// StartRegistration passes step 2 (kind, consent, anti-bot code) and
// returns the form page of that kind.
func (e *Env) StartRegistration(c *Client, kind string) *Response {
	e.T.Helper()
	page := c.Get("/register")
	r := c.Post("/register", url.Values{"kind": {kind}, "consent": {"yes"},
		"captcha_id": {HiddenValue(page.Body, "captcha_id")}, "captcha": {e.CaptchaAnswer(page.Body)}})
	if r.Status != http.StatusSeeOther || r.Location != "/register/"+kind {
		e.T.Fatalf("register start: %d %s\n%s", r.Status, r.Location, r.Body)
	}
	return c.Get(r.Location)
}

// RegisterEmployer registers an employer cabinet with email and returns
// the link of its confirmation email from the dev outbox.
func (e *Env) RegisterEmployer(c *Client, email string) string {
	e.T.Helper()
	e.SubmitEmployer(c, email)
	return LinkIn(e.T, e.Outbox(email, ""), e.URL+"/register/confirm/")
}

// SubmitEmployer fills in and sends the employer registration form.
func (e *Env) SubmitEmployer(c *Client, email string) {
	e.T.Helper()
	form := e.StartRegistration(c, "employer")
	fields := append([][2]string{{"draft", HiddenValue(form.Body, "draft")}}, EmployerFields(email)...)
	r := c.PostMultipart("/register/employer", fields, []File{{Field: "registration_certificate", Name: "certificate.pdf", Content: PDF}})
	if r.Status != http.StatusSeeOther || r.Location != "/register/sent" {
		e.T.Fatalf("register: %d %s\n%s", r.Status, r.Location, r.Body)
	}
}

// LoginStaff logs a back-office account in.
func (e *Env) LoginStaff(c *Client, email, password string) {
	e.T.Helper()
	r := c.Post("/office/login", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		e.T.Fatalf("office login %s: %d\n%s", email, r.Status, r.Body)
	}
}

// Login logs a cabinet in and reports the response.
func (c *Client) Login(email, password string) *Response {
	return c.Post("/login", url.Values{"email": {email}, "password": {password}})
}

// CabinetID finds the id of the cabinet with email.
func (e *Env) CabinetID(email string) int64 {
	e.T.Helper()
	var id int64
	if err := e.DB.QueryRow(e.T.Context(), `SELECT id FROM cabinets WHERE email = $1`, strings.ToLower(email)).Scan(&id); err != nil {
		e.T.Fatal(err)
	}
	return id
}

// NewStaff creates a back-office account that can log in at once and
// returns its email and password.
func (e *Env) NewStaff(role string) (string, string) {
	e.T.Helper()
	email := strings.ToLower(role) + "-" + randomSuffix() + "@ministry.example.test"
	pw := "staff password for tests"
	_, err := e.App.Staff.Create(e.T.Context(), staff.Input{Email: email, Name: "Test " + role, Role: staff.Role(role)}, pw, audit.Event{Actor: "system"})
	if err != nil {
		e.T.Fatal(err)
	}
	return email, pw
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
