package cabinet_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/emgek/emgek/internal/apptest"
)

// TestJourney walks S1 steps 1–10 over HTTP: register, confirm by the
// emailed link, wait, get activated by an operator, log in.
func TestJourney(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		c := e.Client()
		email := "journey@example.test"
		link := e.RegisterEmployer(c, email)
		raw := link[strings.LastIndex(link, "/")+1:]
		var stored int
		if err := e.DB.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE CAST(args AS TEXT) LIKE $1`, "%"+raw+"%").Scan(&stored); err != nil || stored != 0 {
			t.Fatalf("the emailed token is stored in the job queue (%d rows, %v)", stored, err)
		}

		r := c.Login(email, apptest.Password)
		if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "not confirmed") {
			t.Fatalf("login before confirmation: %d, want 403 saying not confirmed", r.Status)
		}
		if r := c.Get(link); r.Status != http.StatusOK || !strings.Contains(r.Body, "is confirmed") {
			t.Fatalf("confirm: %d\n%s", r.Status, r.Body)
		}
		if r := c.Get(link); r.Status != http.StatusNotFound || !strings.Contains(r.Body, "already been used") {
			t.Fatalf("second confirm: %d, want 404 already used", r.Status)
		}
		if r := c.Login(email, apptest.Password); r.Status != http.StatusForbidden || !strings.Contains(r.Body, "waiting for activation") {
			t.Fatalf("login while pending: %d", r.Status)
		}

		op := e.Client()
		opEmail, opPW := e.NewStaff("operator")
		e.LoginStaff(op, opEmail, opPW)
		queue := op.Get("/office")
		if !strings.Contains(queue.Body, "Test Build LLC") {
			t.Fatalf("the queue does not list the cabinet:\n%s", queue.Body)
		}
		id := e.CabinetID(email)
		page := op.Get("/office/cabinets/" + itoa(id))
		if !strings.Contains(page.Body, "certificate.pdf") || !strings.Contains(page.Body, "Bishkek, Manas Ave 10") {
			t.Fatalf("the cabinet page lacks its data or document:\n%s", page.Body)
		}
		if r := op.Post("/office/cabinets/"+itoa(id)+"/activate", nil); r.Status != http.StatusSeeOther {
			t.Fatalf("activate: %d\n%s", r.Status, r.Body)
		}
		e.Outbox(email, "active")

		if r := c.Login(email, apptest.Password); r.Status != http.StatusSeeOther || r.Location != "/cabinet" {
			t.Fatalf("login when active: %d %s\n%s", r.Status, r.Location, r.Body)
		}
		home := c.Get("/cabinet")
		if home.Status != http.StatusOK || !strings.Contains(home.Body, "Test Build LLC") || !strings.Contains(home.Body, "certificate.pdf") {
			t.Fatalf("cabinet: %d\n%s", home.Status, home.Body)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestRegistrationErrors checks that each kind of bad input gets its own
// message at its field, in the chosen language, with the rest kept.
func TestRegistrationErrors(t *testing.T) {
	e := apptest.New(t, "sqlite")
	valid := func(email string) map[string]string {
		m := map[string]string{}
		for _, f := range apptest.EmployerFields(email) {
			m[f[0]] = f[1]
		}
		return m
	}
	big := bytes.Repeat([]byte("%PDF-1.4 "), 20<<20/9+1) // a PDF of 20 MB
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00"), bytes.Repeat([]byte{0}, 600)...)
	tests := []struct {
		name      string
		lang      string
		change    map[string]string
		files     []apptest.File
		field     string
		wantMsg   string
		wantKept  []string
		wantFiles []string
	}{
		{name: "invalid INN", lang: "en", change: map[string]string{"inn": "31234567890123"}, field: "inn",
			wantMsg: "The INN must start with 0 (an organisation) or with 1 or 2 (a person)", wantKept: []string{"31234567890123", "Test Build LLC", "Bishkek, Manas Ave 10"}},
		{name: "INN with impossible birth date", lang: "ru", change: map[string]string{"inn": "13113199012345"}, field: "inn",
			wantMsg: "должны быть датой рождения", wantKept: []string{"13113199012345", "Asanov Bakyt"}},
		{name: "20 MB file", lang: "en", files: []apptest.File{{Field: "registration_certificate", Name: "big.pdf", Content: big}}, field: "registration_certificate",
			wantMsg: "The file must be smaller than 10 MB", wantKept: []string{"Test Build LLC", "01234567890123"}},
		{name: "executable renamed .pdf", lang: "ru", files: []apptest.File{{Field: "registration_certificate", Name: "scan.pdf", Content: exe}}, field: "registration_certificate",
			wantMsg: "содержимое этого файла другого типа", wantKept: []string{"Test Build LLC"}},
		{name: "different passwords", lang: "en", change: map[string]string{"password_confirm": "another long password here"}, field: "password_confirm",
			wantMsg: "The passwords do not match", wantKept: []string{"Test Build LLC", "+996 555 123 456"}, wantFiles: []string{"certificate.pdf"}},
		{name: "common password", lang: "en", change: map[string]string{"password": "password1234", "password_confirm": "password1234"}, field: "password",
			wantMsg: "This password is too common", wantKept: []string{"Test Build LLC"}},
		{name: "missing organisation name in Kazakh deployment language", lang: "kk", change: map[string]string{"org_name": ""}, field: "org_name",
			wantMsg: "", wantKept: []string{"01234567890123"}, wantFiles: []string{"certificate.pdf"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.Client()
			c.Lang = tt.lang
			form := e.StartRegistration(c, "employer")
			fields := [][2]string{{"draft", apptest.HiddenValue(form.Body, "draft")}}
			v := valid("errors-" + strings.ReplaceAll(tt.name, " ", "-") + "@example.test")
			for k, x := range tt.change {
				v[k] = x
			}
			for _, f := range apptest.EmployerFields("") {
				fields = append(fields, [2]string{f[0], v[f[0]]})
			}
			files := tt.files
			if files == nil {
				files = []apptest.File{{Field: "registration_certificate", Name: "certificate.pdf", Content: apptest.PDF}}
			}
			r := c.PostMultipart("/register/employer", fields, files)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422\n%s", r.Status, r.Body)
			}
			errBlock := fieldError(r.Body, tt.field)
			if errBlock == "" {
				t.Fatalf("no error message at field %s:\n%s", tt.field, r.Body)
			}
			if tt.wantMsg != "" && !strings.Contains(errBlock, tt.wantMsg) {
				t.Errorf("message at %s = %q, want it to contain %q", tt.field, errBlock, tt.wantMsg)
			}
			if !strings.Contains(r.Body, `class="govuk-error-summary"`) || !strings.Contains(r.Body, `href="#`+tt.field+`"`) {
				t.Errorf("the error summary does not link to #%s", tt.field)
			}
			if !strings.Contains(r.Body, `<html lang="`+tt.lang+`"`) {
				t.Errorf("page not in %s", tt.lang)
			}
			for _, kept := range tt.wantKept {
				if !strings.Contains(r.Body, kept) && !strings.Contains(r.Body, strings.ReplaceAll(kept, "+", "&#43;")) {
					t.Errorf("typed value %q was not kept", kept)
				}
			}
			for _, name := range tt.wantFiles {
				if !strings.Contains(r.Body, name) {
					t.Errorf("uploaded file %q is not shown as kept", name)
				}
			}
			if strings.Contains(r.Body, apptest.Password) {
				t.Error("the password was echoed back into the page")
			}
		})
	}
}

// fieldError returns the text of the error message shown at a field.
func fieldError(page, field string) string {
	marker := `id="` + field + `-error" class="govuk-error-message">`
	i := strings.Index(page, marker)
	if i < 0 {
		return ""
	}
	rest := page[i+len(marker):]
	return rest[:strings.Index(rest, "</p>")]
}

func TestRegistrationStartErrors(t *testing.T) {
	e := apptest.New(t, "sqlite")
	tests := []struct {
		name  string
		lang  string
		form  func(page string) url.Values
		field string
		want  string
	}{
		{"missing consent", "en", func(p string) url.Values {
			return url.Values{"kind": {"employer"}, "captcha_id": {apptest.HiddenValue(p, "captcha_id")}, "captcha": {e.CaptchaAnswer(p)}}
		}, "consent", "agree to the processing of your personal data"},
		{"wrong anti-bot code", "ru", func(p string) url.Values {
			wrong := []byte(e.CaptchaAnswer(p))
			wrong[0] = '0' + (wrong[0]-'0'+1)%10
			return url.Values{"kind": {"fie"}, "consent": {"yes"}, "captcha_id": {apptest.HiddenValue(p, "captcha_id")}, "captcha": {string(wrong)}}
		}, "captcha", "Цифры не совпадают"},
		{"no kind", "ky", func(p string) url.Values {
			return url.Values{"consent": {"yes"}, "captcha_id": {apptest.HiddenValue(p, "captcha_id")}, "captcha": {e.CaptchaAnswer(p)}}
		}, "kind", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.Client()
			c.Lang = tt.lang
			page := c.Get("/register")
			form := tt.form(page.Body)
			r := c.Post("/register", form)
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.Status)
			}
			msg := fieldError(r.Body, tt.field)
			if msg == "" || !strings.Contains(msg, tt.want) {
				t.Fatalf("message at %s = %q, want %q", tt.field, msg, tt.want)
			}
			if k := form.Get("kind"); k != "" && !strings.Contains(r.Body, `value="`+k+`" checked`) {
				t.Errorf("the chosen kind %s was not kept", k)
			}
			if form.Get("consent") == "yes" && !strings.Contains(r.Body, `value="yes" checked`) {
				t.Error("the consent tick was not kept")
			}
			if apptest.HiddenValue(r.Body, "captcha_id") == form.Get("captcha_id") {
				t.Error("the used anti-bot code was offered again")
			}
		})
	}
}

// TestTwoOperatorsActivate: one activation wins, the other is told so,
// and exactly one activation email is sent.
func TestTwoOperatorsActivate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		email := "race@example.test"
		c := e.Client()
		if r := c.Get(e.RegisterEmployer(c, email)); r.Status != http.StatusOK {
			t.Fatal(r.Status)
		}
		id := itoa(e.CabinetID(email))
		ops := make([]*apptest.Client, 2)
		for i := range ops {
			ops[i] = e.Client()
			em, pw := e.NewStaff("operator")
			e.LoginStaff(ops[i], em, pw)
		}
		results := make([]*apptest.Response, 2)
		var wg sync.WaitGroup
		for i := range ops {
			wg.Go(func() { results[i] = ops[i].Post("/office/cabinets/"+id+"/activate", nil) })
		}
		wg.Wait()
		won, lost := 0, 0
		for _, r := range results {
			switch {
			case r.Status == http.StatusSeeOther:
				won++
			case r.Status == http.StatusConflict && strings.Contains(r.Body, "already been activated by another officer"):
				lost++
			default:
				t.Errorf("unexpected answer %d\n%s", r.Status, r.Body)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("won %d, lost %d; want 1 and 1", won, lost)
		}
		e.Outbox(email, "active")
		// Give the queue time to send a second email if one existed.
		var jobs int
		if err := e.DB.QueryRow(t.Context(), `SELECT count(*) FROM river_job WHERE kind = 'send_mail' AND CAST(args AS TEXT) LIKE '%cabinet_activated%'`).Scan(&jobs); err != nil {
			t.Fatal(err)
		}
		if jobs != 1 {
			t.Fatalf("%d activation emails queued, want 1", jobs)
		}
	})
}

// TestRefusedFileCreatesNothing: a refused extra document stops the
// registration with everything kept; sending the form again without it
// registers, with the accepted files of the first try.
func TestRefusedFileCreatesNothing(t *testing.T) {
	e := apptest.New(t, "sqlite")
	c := e.Client()
	form := e.StartRegistration(c, "employer")
	draft := apptest.HiddenValue(form.Body, "draft")
	email := "refused-file@example.test"
	fields := append([][2]string{{"draft", draft}}, apptest.EmployerFields(email)...)
	r := c.PostMultipart("/register/employer", fields, []apptest.File{
		{Field: "registration_certificate", Name: "certificate.pdf", Content: apptest.PDF},
		{Field: "documents", Name: "virus.pdf", Content: []byte("MZ\x90\x00 a program")},
	})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(fieldError(r.Body, "documents"), "PDF, JPEG or PNG") {
		t.Fatalf("status %d, message %q", r.Status, fieldError(r.Body, "documents"))
	}
	var n int
	if err := e.DB.QueryRow(t.Context(), `SELECT count(*) FROM cabinets`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d cabinets after a refused file, want 0 (%v)", n, err)
	}
	if !strings.Contains(r.Body, "certificate.pdf") {
		t.Fatal("the accepted certificate is not shown as kept")
	}
	fields = append([][2]string{{"draft", apptest.HiddenValue(r.Body, "draft")}}, apptest.EmployerFields(email)...)
	if r := c.PostMultipart("/register/employer", fields, nil); r.Status != http.StatusSeeOther {
		t.Fatalf("second try without the bad file: %d\n%s", r.Status, fieldError(r.Body, "registration_certificate"))
	}
	if docs, err := e.App.Documents.ByCabinet(t.Context(), e.CabinetID(email)); err != nil || len(docs) != 1 || docs[0].Filename != "certificate.pdf" {
		t.Fatalf("documents of the cabinet: %v %v", docs, err)
	}
}
