package app_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/app"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/config"
	"github.com/emgek/emgek/internal/devpki"
	"github.com/emgek/emgek/internal/eds"
	"github.com/emgek/emgek/internal/esign"
	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/kzid"
	"github.com/emgek/emgek/internal/ncalayer"
	"github.com/emgek/emgek/internal/registry"
)

// signed signs content with a key as NCALayer would.
func signed(t *testing.T, kp devpki.KeyPair, content string) string {
	t.Helper()
	cms, err := ncalayer.SignCMS(kp, []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	return cms
}

// loadPKI makes a CA of the test's own with the demo people, at a time.
func loadPKI(t *testing.T, people []devpki.Person, now time.Time) *devpki.PKI {
	t.Helper()
	p, err := devpki.Load(filepath.Join(t.TempDir(), "pki"), people, now)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// refusals counts the audit rows of refused signatures with a code.
func refusals(t *testing.T, e *apptest.Env, code string) int {
	t.Helper()
	var n int
	if err := e.App.DB.QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_events WHERE action = 'eds.refused' AND detail LIKE $1`,
		"% "+code).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCertificateRefusals: login signatures made with CAs made in the
// test — a valid one is accepted; each way of being wrong is refused with
// its own message, and the refusal is audited.
func TestCertificateRefusals(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		people, err := app.DevPeople(ctx)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		pki := e.App.DevPKI
		citizen := pki.Identity("citizen")
		old := loadPKI(t, people, now.AddDate(-3, 0, 0)) // its certificates expired a year ago
		stranger := loadPKI(t, people, now)              // a CA nobody trusts
		nobody := people[0]
		nobody.Name, nobody.IIN = "nobody", kzid.NewIIN(time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC), true, 9999) // valid, but no one's
		unknown := loadPKI(t, []devpki.Person{nobody}, now)

		roots := pki.Roots()
		roots.AddCert(old.Root)
		roots.AddCert(unknown.Root)
		inters := pki.Intermediates()
		inters.AddCert(old.Intermediate)
		inters.AddCert(unknown.Intermediate)
		crl, err := pki.CRL(now, pki.Identity("signer").Auth.Cert)
		if err != nil {
			t.Fatal(err)
		}
		service := func(at time.Time) *esign.Service {
			s := &esign.Service{DB: e.App.DB, Now: func() time.Time { return at }}
			s.Use(&eds.Verifier{Roots: roots, Intermediates: inters, CRLs: []*x509.RevocationList{crl}})
			return s
		}
		later := service(now.AddDate(3, 0, 0)) // the citizen's certificate expired by then
		s := service(now)

		challenge := func(s *esign.Service) string {
			c, err := s.Challenge(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		by := audit.Event{Actor: "anonymous", IP: "192.0.2.1"}

		// A valid login proves the citizen's IIN; with no cabinet yet, the
		// person is sent to register.
		c := challenge(s)
		signer, err := s.Prove(ctx, c, signed(t, citizen.Auth, c), by)
		if err != nil {
			t.Fatalf("valid login refused: %v", err)
		}
		if signer.IIN != citizen.IIN {
			t.Fatalf("IIN %s, want the citizen's", signer.IIN)
		}
		entry, err := e.App.Accounts.CertificateLogin(ctx, signer, by)
		if err != nil || entry.Register != "citizen" {
			t.Fatalf("CertificateLogin = %+v, %v; want to register a citizen", entry, err)
		}

		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		messages := map[string]string{}
		for _, tc := range []struct {
			name, code string
			refuse     func() error
		}{
			{"expired certificate", eds.CodeExpired, func() error {
				c := challenge(s)
				_, err := s.Prove(ctx, c, signed(t, old.Identity("citizen").Auth, c), by)
				return err
			}},
			{"signingTime before the expiry, received after", eds.CodeExpired, func() error {
				// The CMS says it was signed now, while the certificate was
				// valid; it reaches the server three years later.
				c := challenge(later)
				if !citizen.Auth.Cert.NotAfter.Before(later.Now()) {
					t.Fatal("the certificate is still valid at receipt")
				}
				_, err := later.Prove(ctx, c, signed(t, citizen.Auth, c), by)
				return err
			}},
			{"wrong key usage", eds.CodeWrongKeyUsage, func() error {
				c := challenge(s)
				_, err := s.Prove(ctx, c, signed(t, citizen.Sign, c), by)
				return err
			}},
			{"unknown root", eds.CodeUnknownRoot, func() error {
				c := challenge(s)
				_, err := s.Prove(ctx, c, signed(t, stranger.Identity("citizen").Auth, c), by)
				return err
			}},
			{"revoked serial", eds.CodeRevoked, func() error {
				c := challenge(s)
				_, err := s.Prove(ctx, c, signed(t, pki.Identity("signer").Auth, c), by)
				return err
			}},
			{"replayed challenge", esign.CodeReplayed, func() error {
				c := challenge(s)
				cms := signed(t, citizen.Auth, c)
				if _, err := s.Prove(ctx, c, cms, by); err != nil {
					t.Fatalf("first use refused: %v", err)
				}
				_, err := s.Prove(ctx, c, cms, by)
				return err
			}},
			{"signature over other content", eds.CodeContentMismatch, func() error {
				c := challenge(s)
				_, err := s.Prove(ctx, c, signed(t, citizen.Auth, "emgek-login:made-up"), by)
				return err
			}},
			{"IIN of nobody", esign.CodeNoPerson, func() error {
				c := challenge(s)
				signer, err := s.Prove(ctx, c, signed(t, unknown.Identity("nobody").Auth, c), by)
				if err != nil {
					t.Fatalf("the signature itself is valid: %v", err)
				}
				_, err = e.App.Accounts.CertificateLogin(ctx, signer, by)
				return err
			}},
		} {
			before := refusals(t, e, tc.code)
			err := tc.refuse()
			ae, ok := apperr.As(err)
			if !ok || ae.Fields[esign.Field].Key != "eds."+tc.code {
				t.Errorf("%s: %v, want the message eds.%s at the sign button", tc.name, err, tc.code)
				continue
			}
			if refusals(t, e, tc.code) != before+1 {
				t.Errorf("%s: the refusal was not audited", tc.name)
			}
			for _, lang := range i18n.Langs {
				msg := cat.Localizer(lang).T("eds."+tc.code, map[string]any{"Detail": "x"})
				if strings.HasPrefix(msg, i18n.Missing) {
					t.Errorf("%s: no %s message", tc.name, lang)
				}
				if other, seen := messages[lang+msg]; seen && other != tc.code {
					t.Errorf("%s: the %s message is the same as for %s", tc.name, lang, other)
				}
				messages[lang+msg] = tc.code
			}
		}
	})
}

// certLogin signs the challenge of /login/eds with kp and sends it.
func certLogin(t *testing.T, c *apptest.Client, kp devpki.KeyPair) *apptest.Response {
	t.Helper()
	page := c.Get("/login/eds")
	challenge := apptest.HiddenValue(page.Body, "challenge")
	if challenge == "" {
		t.Fatalf("no challenge on /login/eds:\n%s", page.Body)
	}
	return c.Post("/login/eds", url.Values{"challenge": {challenge}, "cms": {signed(t, kp, challenge)}})
}

// confirmLink opens the confirmation link emailed to an address.
func confirmLink(t *testing.T, e *apptest.Env, c *apptest.Client, email string) {
	t.Helper()
	link := apptest.LinkIn(t, e.Outbox(email, ""), e.URL+"/register/confirm/")
	if r := c.Get(strings.TrimPrefix(link, e.URL)); r.Status != http.StatusOK {
		t.Fatalf("confirm %s: %d", email, r.Status)
	}
}

// TestKazakhstanAccounts walks the Kazakhstan identities over HTTP with
// the demo certificates: a citizen registers by certificate (the registry
// record shown only after the proof) and logs in both ways; a head
// registers the organisation, lets a signer act for it; the signer logs in
// by certificate and signs the organisation's data; an operator sees the
// signature and checks it again; a stranger's organisation certificate is
// refused.
func TestKazakhstanAccounts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		pki := e.App.DevPKI
		citizen, head, signer := pki.Identity("citizen"), pki.Identity("head"), pki.Identity("signer")
		person, err := (&registry.DemoIndividuals{}).Individual(ctx, citizen.IIN)
		if err != nil {
			t.Fatal(err)
		}

		// Without JavaScript the form comes without a signature: the page
		// says signing needs JavaScript and offers the password login.
		c := e.Client()
		page := c.Get("/login/eds")
		if !strings.Contains(page.Body, "<noscript>") || !strings.Contains(page.Body, `href="/login"`) {
			t.Fatalf("/login/eds says nothing for browsers without JavaScript:\n%s", page.Body)
		}
		r := c.Post("/login/eds", url.Values{"challenge": {apptest.HiddenValue(page.Body, "challenge")}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Signing needs JavaScript") {
			t.Fatalf("a login form without a signature: %d\n%s", r.Status, r.Body)
		}

		// Typing an IIN shows nothing: the registration page needs a proof.
		if r := c.Get("/register/citizen"); r.Status != http.StatusSeeOther || r.Location != "/login/eds" {
			t.Fatalf("registration without a proof: %d %s", r.Status, r.Location)
		}
		r = certLogin(t, c, citizen.Auth)
		if r.Status != http.StatusSeeOther || r.Location != "/register/citizen" {
			t.Fatalf("certificate of a person without a cabinet: %d %s\n%s", r.Status, r.Location, r.Body)
		}
		page = c.Get("/register/citizen")
		if !strings.Contains(page.Body, person.Surname) || !strings.Contains(page.Body, person.Address) {
			t.Fatalf("the registry record is not shown after the proof:\n%s", page.Body)
		}
		r = c.Post("/register/citizen", url.Values{"email": {"citizen@example.kz"}, "phone": {"+77011234567"},
			"password": {apptest.Password}, "password_confirm": {apptest.Password}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "consent-error") {
			t.Fatalf("no consent: %d", r.Status)
		}
		if made, err := account.ByIIN(ctx, e.App.DB, citizen.IIN); err != nil || made != nil {
			t.Fatalf("a cabinet was made without consent: %v %v", made, err)
		}
		r = c.Post("/register/citizen", url.Values{"email": {"citizen@example.kz"}, "phone": {"+77011234567"},
			"password": {apptest.Password}, "password_confirm": {"other"}, "consent": {"yes"}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `value="citizen@example.kz"`) {
			t.Fatalf("a mismatched password: %d, the email kept? \n%s", r.Status, r.Body)
		}
		r = c.Post("/register/citizen", url.Values{"email": {"citizen@example.kz"}, "phone": {"+77011234567"},
			"password": {apptest.Password}, "password_confirm": {apptest.Password}, "consent": {"yes"}})
		if r.Status != http.StatusSeeOther || r.Location != "/register/sent" {
			t.Fatalf("register: %d %s\n%s", r.Status, r.Location, r.Body)
		}
		confirmLink(t, e, c, "citizen@example.kz")
		if r := e.Client().Login(citizen.IIN, apptest.Password); r.Status != http.StatusSeeOther || r.Location != "/cabinet" {
			t.Fatalf("login by IIN and password: %d %s", r.Status, r.Location)
		}
		cc := e.Client()
		if r := certLogin(t, cc, citizen.Auth); r.Status != http.StatusSeeOther || r.Location != "/cabinet" {
			t.Fatalf("login by certificate: %d %s\n%s", r.Status, r.Location, r.Body)
		}
		if home := cc.Get("/cabinet"); !strings.Contains(home.Body, citizen.IIN) {
			t.Fatalf("the citizen's cabinet does not show the IIN")
		}

		// The head registers the organisation from the register.
		hc := e.Client()
		if r := certLogin(t, hc, head.Auth); r.Location != "/register/organisation" {
			t.Fatalf("head without an organisation: %d %s", r.Status, r.Location)
		}
		if r := hc.Post("/register/organisation", url.Values{"email": {"org@example.kz"}, "phone": {"+77012223344"}}); r.Location != "/register/sent" {
			t.Fatalf("register organisation: %d %s\n%s", r.Status, r.Location, r.Body)
		}
		confirmLink(t, e, hc, "org@example.kz")

		// The signer's certificate names the organisation, but the head has
		// not let them act for it yet.
		sc := e.Client()
		if r := certLogin(t, sc, signer.Auth); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "sign-error") {
			t.Fatalf("a signer not granted: %d\n%s", r.Status, r.Body)
		}
		if r := certLogin(t, hc, head.Auth); r.Location != "/cabinet" {
			t.Fatalf("head login: %d %s\n%s", r.Status, r.Location, r.Body)
		}
		if r := hc.Post("/cabinet/organisation/members", url.Values{"iin": {"123456789012"}, "role": {"signer"}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, `value="123456789012"`) {
			t.Fatalf("an IIN with a wrong check digit: %d", r.Status)
		}
		if r := hc.Post("/cabinet/organisation/members", url.Values{"iin": {signer.IIN}, "role": {"signer"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("grant: %d\n%s", r.Status, r.Body)
		}
		if r := certLogin(t, sc, signer.Auth); r.Location != "/cabinet" {
			t.Fatalf("granted signer login: %d %s\n%s", r.Status, r.Location, r.Body)
		}

		// The signer signs the organisation's data with the signing key.
		page = sc.Get("/cabinet/organisation")
		data := dataToSign(t, page.Body)
		r = sc.Post("/cabinet/organisation/confirm", url.Values{"nonce": {apptest.HiddenValue(page.Body, "nonce")}, "cms": {signed(t, signer.Auth, data)}})
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "sign-error") {
			t.Fatalf("signed with the authentication key: %d", r.Status)
		}
		data, nonce := dataToSign(t, r.Body), apptest.HiddenValue(r.Body, "nonce") // the page again, with a fresh nonce
		cms := signed(t, signer.Sign, data)
		if r := sc.Post("/cabinet/organisation/confirm", url.Values{"nonce": {nonce}, "cms": {cms}}); r.Status != http.StatusSeeOther {
			t.Fatalf("confirm: %d\n%s", r.Status, r.Body)
		}
		if r := sc.Post("/cabinet/organisation/confirm", url.Values{"nonce": {nonce}, "cms": {cms}}); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(r.Body, "used already") {
			t.Fatalf("the same signature sent again: %d", r.Status)
		}
		org, err := account.ByBIN(ctx, e.App.DB, head.BIN)
		if err != nil || org == nil {
			t.Fatal(org, err)
		}
		sigs, err := esign.Of(ctx, e.App.DB, "cabinet:"+strconv.FormatInt(org.ID, 10))
		if err != nil || len(sigs) != 1 || sigs[0].IIN != signer.IIN || sigs[0].BIN != head.BIN || sigs[0].Content != data {
			t.Fatalf("kept signatures %+v, %v", sigs, err)
		}

		// An operator sees who signed and checks it again.
		op := e.Client()
		email, pw := e.NewStaff("operator")
		e.LoginStaff(op, email, pw)
		page = op.Get("/office/cabinets/" + strconv.FormatInt(org.ID, 10))
		for _, want := range []string{signer.IIN, sigs[0].Serial, sigs[0].Issuer} {
			if !strings.Contains(page.Body, want) {
				t.Errorf("the operator's page does not show %s", want)
			}
		}
		reverify := "/office/signatures/" + strconv.FormatInt(sigs[0].ID, 10) + "/verify"
		if r := op.Post(reverify, nil); r.Status != http.StatusSeeOther {
			t.Fatalf("re-verify: %d\n%s", r.Status, r.Body)
		}
		// The signer's certificate is revoked afterwards: the check says so.
		crl, err := pki.CRL(time.Now(), signer.Sign.Cert)
		if err != nil {
			t.Fatal(err)
		}
		e.App.Signatures.Use(&eds.Verifier{Roots: pki.Roots(), Intermediates: pki.Intermediates(), CRLs: []*x509.RevocationList{crl}})
		if r := op.Post(reverify, nil); r.Status != http.StatusOK || !strings.Contains(r.Body, "does not hold any more") ||
			!strings.Contains(r.Body, "revoked") {
			t.Fatalf("re-verify of a revoked certificate: %d", r.Status)
		}
	})
}

// dataToSign decodes the data a sign form asks NCALayer to sign.
func dataToSign(t *testing.T, page string) string {
	t.Helper()
	marker := `data-eds-data="`
	i := strings.Index(page, marker)
	if i < 0 {
		t.Fatalf("no sign form:\n%s", page)
	}
	rest := page[i+len(marker):]
	b, err := base64.StdEncoding.DecodeString(html.UnescapeString(rest[:strings.IndexByte(rest, '"')]))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestEDSWithoutDev: without --dev there is no stand-in and the demo CA is
// trusted nowhere; without trusted roots, login by certificate is off and
// the server says so at start, and a signature made by a CA of the test's
// is refused.
func TestEDSWithoutDev(t *testing.T) {
	smtp := os.Getenv("EMGEK_TEST_SMTP_URL")
	if smtp == "" {
		smtp = "smtp://127.0.0.1:1" // never reached: nothing here sends mail
	}
	e := apptest.New(t, "sqlite", apptest.WithSMTP(smtp+"?tls=none"), func(c *config.Config) {
		c.Dev = false
		c.Jurisdictions = []string{"KG", "KZ"}
	})
	if e.App.StandIn != nil || e.App.DevPKI != nil || e.App.Signatures.Enabled() {
		t.Fatal("without --dev: a stand-in, a demo CA or certificate checks are on")
	}
	if !strings.Contains(e.Logs(), "login by EDS certificate is off") {
		t.Fatalf("the server did not say that certificate login is off:\n%s", e.Logs())
	}
	c := e.Client()
	page := c.Get("/login/eds")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, "not available") || strings.Contains(page.Body, "data-eds") {
		t.Fatalf("/login/eds without roots: %d\n%s", page.Status, page.Body)
	}
	people, err := app.DevPeople(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	pki := loadPKI(t, people, time.Now())
	challenge, err := e.App.Signatures.Challenge(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r := c.Post("/login/eds", url.Values{"challenge": {challenge}, "cms": {signed(t, pki.Identity("citizen").Auth, challenge)}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "not available") {
		t.Fatalf("a signature without trusted roots: %d\n%s", r.Status, r.Body)
	}
}

// TestMemberByPassword: a person the head granted logs in with IIN and
// password to their citizen's cabinet and acts for the organisation from
// there; once the head withdraws them, that session can no longer act.
func TestMemberByPassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		pki := e.App.DevPKI
		head, signer := pki.Identity("head"), pki.Identity("signer")
		hc := e.Client()
		if r := certLogin(t, hc, head.Auth); r.Location != "/register/organisation" {
			t.Fatalf("head: %d %s", r.Status, r.Location)
		}
		hc.Post("/register/organisation", url.Values{"email": {"org@example.kz"}, "phone": {"+77012223344"}})
		confirmLink(t, e, hc, "org@example.kz")
		certLogin(t, hc, head.Auth)
		if r := hc.Post("/cabinet/organisation/members", url.Values{"iin": {signer.IIN}, "role": {"hr"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("grant: %d", r.Status)
		}
		org, err := account.ByBIN(t.Context(), e.App.DB, head.BIN)
		if err != nil || org == nil {
			t.Fatal(org, err)
		}

		e.NewCitizen(signer.IIN, "signer@example.kz")
		sc := e.Client()
		if r := sc.Login(signer.IIN, apptest.Password); r.Location != "/cabinet" {
			t.Fatalf("login by IIN: %d %s", r.Status, r.Location)
		}
		act := "/cabinet/organisations/" + strconv.FormatInt(org.ID, 10) + "/act"
		if home := sc.Get("/cabinet"); !strings.Contains(home.Body, `action="`+act+`"`) {
			t.Fatalf("the citizen's cabinet offers no way to act for the organisation:\n%s", home.Body)
		}
		if r := sc.Post(act, nil); r.Location != "/cabinet/organisation" {
			t.Fatalf("act for: %d %s", r.Status, r.Location)
		}
		page := sc.Get("/cabinet/organisation")
		if page.Status != http.StatusOK || strings.Contains(page.Body, `action="/cabinet/organisation/members"`) || strings.Contains(page.Body, "data-eds") {
			t.Fatalf("an HR member's page: %d (may grant or sign?)", page.Status)
		}
		if r := sc.Post("/cabinet/organisation/confirm", url.Values{"cms": {"x"}}); r.Status != http.StatusForbidden {
			t.Fatalf("an HR member signing for the organisation: %d", r.Status)
		}

		if r := sc.Post("/cabinet/quota/new", nil); r.Status != http.StatusForbidden {
			t.Fatalf("an HR member sending a quota application: %d", r.Status)
		}
		if r := sc.Get("/cabinet/profile/edit"); r.Status != http.StatusForbidden {
			t.Fatalf("a member changing the register's data: %d", r.Status)
		}

		// A certificate saying "head" of this BIN, of someone the register
		// does not name as head, makes no one head.
		impostor := people(t, "citizen")
		impostor.BIN, impostor.OrgName, impostor.Roles = head.BIN, head.OrgName, []eds.Role{eds.Organisation, eds.Head}
		fake := loadPKI(t, []devpki.Person{impostor}, time.Now())
		roots, inters := pki.Roots(), pki.Intermediates()
		roots.AddCert(fake.Root)
		inters.AddCert(fake.Intermediate)
		e.App.Signatures.Use(&eds.Verifier{Roots: roots, Intermediates: inters})
		if r := certLogin(t, e.Client(), fake.Identity("citizen").Auth); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("a false head: %d %s", r.Status, r.Location)
		}
		if m, err := account.MemberOf(t.Context(), e.App.DB, org.ID, head.IIN); err != nil || m == nil || m.Role != account.RoleHead {
			t.Fatalf("the real head lost the organisation: %+v %v", m, err)
		}

		// A stranger with a citizen's cabinet cannot act for it.
		e.NewCitizen(pki.Identity("citizen").IIN, "stranger@example.kz")
		st := e.Client()
		st.Login("stranger@example.kz", apptest.Password)
		if r := st.Post(act, nil); r.Status != http.StatusNotFound {
			t.Fatalf("a stranger acting for the organisation: %d", r.Status)
		}

		// Withdrawn: the session acting for the organisation ends.
		m, err := account.MemberOf(t.Context(), e.App.DB, org.ID, signer.IIN)
		if err != nil || m == nil {
			t.Fatal(m, err)
		}
		if r := hc.Post("/cabinet/organisation/members/"+strconv.FormatInt(m.ID, 10)+"/withdraw", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", r.Status)
		}
		if r := sc.Get("/cabinet/organisation"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Fatalf("after the withdrawal the member's session: %d %s", r.Status, r.Location)
		}
	})
}

// TestProofEndsAtLogin: what a certificate proved in a browser is gone
// once someone logs in there, and registration is not for the logged in.
func TestProofEndsAtLogin(t *testing.T) {
	e := apptest.New(t, "sqlite")
	e.NewCabinet(account.Employer, "kg@example.test", account.Active)
	c := e.Client()
	if r := certLogin(t, c, e.App.DevPKI.Identity("citizen").Auth); r.Location != "/register/citizen" {
		t.Fatalf("proof: %d %s", r.Status, r.Location)
	}
	if r := c.Login("kg@example.test", apptest.Password); r.Location != "/cabinet" {
		t.Fatalf("login: %d %s", r.Status, r.Location)
	}
	if r := c.Get("/register/citizen"); r.Status != http.StatusSeeOther || r.Location != "/cabinet" {
		t.Fatalf("registration while logged in: %d %s", r.Status, r.Location)
	}
	c.Post("/logout", nil)
	if r := c.Get("/register/citizen"); r.Status != http.StatusSeeOther || r.Location != "/login/eds" {
		t.Fatalf("after a login and logout the proof still holds: %d %s", r.Status, r.Location)
	}
}

// people returns the demo certificate holder with the name.
func people(t *testing.T, name string) devpki.Person {
	t.Helper()
	all, err := app.DevPeople(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range all {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no demo person %s", name)
	return devpki.Person{}
}

// TestOCSPOverHTTP: with an OCSP responder configured, a login's
// certificate is checked with it: good passes, revoked is refused, and a
// responder that does not answer leaves the status unknown (refused when
// revocation is required).
func TestOCSPOverHTTP(t *testing.T) {
	e := apptest.New(t, "sqlite")
	pki := e.App.DevPKI
	citizen := pki.Identity("citizen")
	revoked := false
	responder := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/ocsp-request" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		der, err := pki.OCSPResponse(citizen.Auth.Cert, revoked, time.Now())
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		_, _ = w.Write(der)
	}))
	defer responder.Close()
	s := &esign.Service{DB: e.App.DB, Now: time.Now}
	s.Use(&eds.Verifier{Roots: pki.Roots(), Intermediates: pki.Intermediates(), OCSP: eds.HTTPOCSP(nil, responder.URL), RequireRevocation: true})
	login := func() error {
		c, err := s.Challenge(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.Prove(t.Context(), c, signed(t, citizen.Auth, c), audit.Event{Actor: "anonymous"})
		return err
	}
	if err := login(); err != nil {
		t.Fatalf("good by OCSP: %v", err)
	}
	revoked = true
	if err := login(); esign.Code(err) != eds.CodeRevoked {
		t.Fatalf("revoked by OCSP: %v", err)
	}
	responder.Close()
	if err := login(); esign.Code(err) != eds.CodeRevocationUnknown {
		t.Fatalf("no responder: %v", err)
	}
}
