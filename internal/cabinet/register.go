package cabinet

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/web"
)

type registerStartPage struct {
	web.Page
	Kinds     []web.Option
	CaptchaID string
}

func (h *Handler) kindOptions(p *web.Page) []web.Option {
	var opts []web.Option
	for _, k := range account.Kinds {
		opts = append(opts, web.Option{Value: string(k), Label: p.L.T("cabinet.kind." + string(k))})
	}
	return opts
}

func (h *Handler) renderRegisterStart(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	p := &registerStartPage{Page: h.Kit.Page(r, "register.start.title")}
	p.Form = form
	p.Kinds = h.kindOptions(&p.Page)
	id, err := h.Captcha.New(r.Context())
	if err != nil {
		return err
	}
	p.CaptchaID = id
	return h.Kit.Render(w, r, status, "cabinet/register_start", p)
}

func (h *Handler) showRegisterStart(w http.ResponseWriter, r *http.Request) error {
	return h.renderRegisterStart(w, r, http.StatusOK, web.NewForm(url.Values{"kind": {r.URL.Query().Get("kind")}}))
}

// registerStart is step 2: the cabinet type, consent to the privacy policy
// and the anti-bot code. It opens the form of that type.
func (h *Handler) registerStart(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	var fe apperr.FieldErrors
	kind := account.Kind(form.Get("kind"))
	if !kind.Valid() {
		fe.Add("kind", "register.kind_required")
	}
	if form.Get("consent") != "yes" {
		fe.Add("consent", "register.consent_required")
	}
	if err := fe.Merge(h.Captcha.Verify(r.Context(), form.Get("captcha_id"), form.Get("captcha"))); err != nil {
		return err
	}
	if len(fe) > 0 {
		form.Errors = fe
		return h.renderRegisterStart(w, r, http.StatusUnprocessableEntity, form)
	}
	h.Kit.Sessions.Put(r.Context(), "register_kind", string(kind))
	return web.Redirect(w, r, "/register/"+string(kind))
}

type registerFormPage struct {
	web.Page
	Kind       account.Kind
	Draft      string
	LegalForms []web.Option
	Countries  []web.Option
}

var draftRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

func newDraft() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// kindFromPath checks the kind in the URL and that step 2 was passed for it.
func (h *Handler) kindFromPath(r *http.Request) (account.Kind, bool) {
	kind := account.Kind(r.PathValue("kind"))
	return kind, kind.Valid() && h.Kit.Sessions.GetString(r.Context(), "register_kind") == string(kind)
}

func (h *Handler) renderRegisterForm(w http.ResponseWriter, r *http.Request, status int, kind account.Kind, draft string, form *web.Form) error {
	ctx := r.Context()
	p := &registerFormPage{Page: h.Kit.Page(r, "register.form.title."+string(kind)), Kind: kind, Draft: draft}
	p.Form = form
	for _, lf := range account.LegalForms {
		p.LegalForms = append(p.LegalForms, web.Option{Value: lf, Label: p.L.T("legal_form." + lf)})
	}
	if kind != account.Employer {
		countries, err := classifier.Countries(ctx, h.DB, p.Lang)
		if err != nil {
			return err
		}
		for _, c := range countries {
			p.Countries = append(p.Countries, web.Option{Value: c.Code, Label: c.Name})
		}
	}
	docs, err := h.Documents.Draft(ctx, draft)
	if err != nil {
		return err
	}
	form.Files = map[string][]web.Upload{}
	for _, d := range docs {
		f := fieldOfKind(d.Kind)
		form.Files[f] = append(form.Files[f], web.Upload{ID: d.ID, Field: f, Name: d.Filename, ContentType: d.ContentType, Size: d.Size})
	}
	return h.Kit.Render(w, r, status, "cabinet/register_form", p)
}

func (h *Handler) showRegisterForm(w http.ResponseWriter, r *http.Request) error {
	kind, ok := h.kindFromPath(r)
	if !ok {
		return web.Redirect(w, r, "/register?kind="+url.QueryEscape(string(kind)))
	}
	return h.renderRegisterForm(w, r, http.StatusOK, kind, newDraft(), web.NewForm(nil))
}

// The upload fields of the form and the kind of document each holds.
var uploadFields = map[string]document.Kind{
	"registration_certificate": document.RegistrationCertificate,
	"documents":                document.Other,
	"photo":                    document.Photo,
	"passport_page":            document.PassportPage,
}

func fieldOfKind(k document.Kind) string {
	for f, kk := range uploadFields {
		if kk == k {
			return f
		}
	}
	return "documents"
}

// register is step 3: the form of the chosen type with its documents.
// Files are stored with the form's draft as they arrive, so a mistake
// elsewhere in the form never loses them.
func (h *Handler) register(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	kind, ok := h.kindFromPath(r)
	if !ok {
		return web.Redirect(w, r, "/register?kind="+url.QueryEscape(string(kind)))
	}
	draft := ""
	values, _, fileErrs, err := web.ParseMultipart(w, r, func(p web.FilePart) (web.Upload, error) {
		if draft == "" {
			draft = newDraft()
		}
		dk, ok := uploadFields[p.Field]
		if !ok {
			return web.Upload{}, apperr.New(apperr.Invalid, "upload.bad_form")
		}
		d, err := h.Documents.SaveDraft(ctx, draft, dk, p.Filename, p.ContentType, p.Body)
		return web.Upload{ID: d.ID, Name: d.Filename, Size: d.Size}, err
	}, func(name, value string) {
		if name == "draft" && draft == "" && draftRe.MatchString(value) {
			draft = value
		}
	})
	if err != nil {
		return err
	}
	if draft == "" {
		draft = newDraft()
	}
	for _, id := range values["remove_doc"] {
		if n, err := strconv.ParseInt(id, 10, 64); err == nil {
			if err := h.Documents.RemoveDraft(ctx, draft, n); err != nil {
				return err
			}
		}
	}
	docs, err := h.Documents.Draft(ctx, draft)
	if err != nil {
		return err
	}
	reg := registrationFrom(values, kind, web.Localizer(ctx).Lang)
	reg.Draft = draft
	for _, d := range docs {
		if !slices.Contains(reg.DraftKinds, string(d.Kind)) {
			reg.DraftKinds = append(reg.DraftKinds, string(d.Kind))
		}
	}
	form := web.NewForm(values)
	if len(fileErrs) > 0 {
		// A file was refused: nothing is created; say so with any other
		// problem of the form, and keep everything.
		err = h.Accounts.Check(ctx, &reg)
		if ferr := fileErrs.Merge(err); ferr != nil {
			return ferr
		}
		err = fileErrs.Err()
	} else {
		err = h.Accounts.Register(ctx, reg, actor(r))
	}
	if err != nil {
		if !form.SetErrors(err) {
			return err
		}
		return h.renderRegisterForm(w, r, http.StatusUnprocessableEntity, kind, draft, form)
	}
	h.Kit.Sessions.Remove(ctx, "register_kind")
	h.Kit.Sessions.Put(ctx, "register_email", account.NormalizeEmail(reg.Email))
	return web.Redirect(w, r, "/register/sent")
}

func registrationFrom(v url.Values, kind account.Kind, lang string) account.Registration {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return account.Registration{
		Kind:            kind,
		Email:           g("email"),
		Password:        v.Get("password"),
		PasswordConfirm: v.Get("password_confirm"),
		Phone:           g("phone"),
		Lang:            lang,
		Employer: account.EmployerProfile{
			OrgName: g("org_name"), LegalForm: g("legal_form"), INN: g("inn"),
			RegisteredAddress: g("registered_address"), ActualAddress: g("actual_address"), HeadName: g("head_name"),
		},
		Person: account.PersonProfile{
			Surname: g("surname"), GivenName: g("given_name"), Patronymic: g("patronymic"),
			BirthDate: web.DateValue(v, "birth_date"), Citizenship: g("citizenship"), PassportNo: g("passport_no"),
			PassportIssued: web.DateValue(v, "passport_issued"), PassportExpires: web.DateValue(v, "passport_expires"),
			Address: g("address"), Activity: g("activity"), FieldOfWork: g("field_of_work"), ClientsAbroad: g("clients_abroad"),
		},
	}
}

type messagePage struct {
	web.Page
	Email  string
	Result string
}

func (h *Handler) showRegisterSent(w http.ResponseWriter, r *http.Request) error {
	p := &messagePage{Page: h.Kit.Page(r, "register.sent.title")}
	p.Email = h.Kit.Sessions.GetString(r.Context(), "register_email")
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/register_sent", p)
}

// confirmEmail opens the link of the confirmation email (step 5–6).
func (h *Handler) confirmEmail(w http.ResponseWriter, r *http.Request) error {
	p := &messagePage{Page: h.Kit.Page(r, "confirm.title"), Result: "ok"}
	status := http.StatusOK
	to, err := h.Accounts.ConfirmEmail(r.Context(), r.PathValue("token"), actor(r))
	if to == account.Active {
		p.Result = "active"
	}
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.NotFound {
			return err
		}
		p.Result, status = strings.TrimPrefix(e.Key, "token."), http.StatusNotFound
	}
	return h.Kit.Render(w, r, status, "cabinet/confirm", p)
}

type emailCaptchaPage struct {
	web.Page
	CaptchaID string
}

func (h *Handler) renderEmailCaptcha(w http.ResponseWriter, r *http.Request, status int, name, title string, form *web.Form) error {
	p := &emailCaptchaPage{Page: h.Kit.Page(r, title)}
	p.Form = form
	id, err := h.Captcha.New(r.Context())
	if err != nil {
		return err
	}
	p.CaptchaID = id
	return h.Kit.Render(w, r, status, name, p)
}

func (h *Handler) showResend(w http.ResponseWriter, r *http.Request) error {
	return h.renderEmailCaptcha(w, r, http.StatusOK, "cabinet/resend", "resend.title", web.NewForm(nil))
}

// resend sends a fresh confirmation link; the answer is the same whether
// or not the address has an unconfirmed cabinet.
func (h *Handler) resend(w http.ResponseWriter, r *http.Request) error {
	form, ok, err := h.emailAndCaptcha(r)
	if err != nil {
		return err
	}
	if !ok {
		return h.renderEmailCaptcha(w, r, http.StatusUnprocessableEntity, "cabinet/resend", "resend.title", form)
	}
	if err := h.Accounts.ResendConfirmation(r.Context(), form.Get("email"), actor(r)); err != nil {
		return err
	}
	h.Kit.Sessions.Put(r.Context(), "register_email", account.NormalizeEmail(form.Get("email")))
	return web.Redirect(w, r, "/register/sent")
}

// emailAndCaptcha reads a form of an email and the anti-bot code; ok is
// false when the form must be shown again with its errors.
func (h *Handler) emailAndCaptcha(r *http.Request) (*web.Form, bool, error) {
	if err := r.ParseForm(); err != nil {
		return nil, false, apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	var fe apperr.FieldErrors
	if strings.TrimSpace(form.Get("email")) == "" {
		fe.Add("email", "form.required")
	} else if !strings.Contains(form.Get("email"), "@") {
		fe.Add("email", "form.email_invalid")
	}
	if err := fe.Merge(h.Captcha.Verify(r.Context(), form.Get("captcha_id"), form.Get("captcha"))); err != nil {
		return nil, false, err
	}
	form.Errors = fe
	return form, len(fe) == 0, nil
}
