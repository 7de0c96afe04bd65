package cabinet

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/eds"
	"github.com/emgek/emgek/internal/esign"
	"github.com/emgek/emgek/internal/registry"
	"github.com/emgek/emgek/internal/web"
)

// Kazakhstan's login by EDS certificate and the registrations it opens
// (issue: IIN/BIN, EDS). The page asks NCALayer, on the user's machine, to
// sign; every check of the signature is the server's.

// SignForm is what a page needs to have NCALayer sign: the partial
// "signform" renders it, js/ncalayer.js drives it.
type SignForm struct {
	On      bool   // certificate checks are configured
	URL     string // NCALayer's WebSocket
	Action  string // where the form posts
	Data    string // base64 of the exact bytes to sign
	Purpose string // "auth" (the authentication key) or "sign" (the signing key)
	Locale  string // NCALayer's dialog language: "kk" or "ru"
	Button  string // translation id of the button
	Hidden  map[string]string
}

func (h *Handler) signForm(p *web.Page, action, purpose string, content []byte, button string) SignForm {
	locale := "ru"
	if p.Lang == "kk" {
		locale = "kk"
	}
	return SignForm{On: h.Signatures.Enabled(), URL: h.NCALayerURL, Action: action, Purpose: purpose, Locale: locale,
		Data: base64.StdEncoding.EncodeToString(content), Button: button, Hidden: map[string]string{}}
}

type edsLoginPage struct {
	web.Page
	Sign   SignForm
	Notice string
	Args   map[string]any
}

func (h *Handler) renderEDSLogin(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	p := &edsLoginPage{Page: h.Kit.Page(r, "eds.login.title")}
	p.Form = form
	var challenge string
	if h.Signatures.Enabled() {
		var err error
		if challenge, err = h.Signatures.Challenge(r.Context()); err != nil {
			return err
		}
	}
	p.Sign = h.signForm(&p.Page, "/login/eds", "auth", []byte(challenge), "eds.login.submit")
	p.Sign.Hidden["challenge"] = challenge
	return h.Kit.Render(w, r, status, "cabinet/login_eds", p)
}

func (h *Handler) showEDSLogin(w http.ResponseWriter, r *http.Request) error {
	if u := web.User(r.Context()); u != nil && !u.IsStaff() {
		return web.Redirect(w, r, "/cabinet")
	}
	return h.renderEDSLogin(w, r, http.StatusOK, web.NewForm(nil))
}

// How long a proven identity may take to finish registering.
const proofTTL = 15 * time.Minute

// edsLogin verifies the signed challenge and logs in, or sends a person
// without a cabinet to register with what the certificate proved.
func (h *Handler) edsLogin(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	ctx := r.Context()
	form := web.NewForm(r.PostForm)
	signer, err := h.Signatures.Prove(ctx, form.Get("challenge"), form.Get("cms"), actor(r))
	var entry *account.Entry
	if err == nil {
		entry, err = h.Accounts.CertificateLogin(ctx, signer, actor(r))
	}
	if err != nil {
		if form.SetErrors(err) {
			return h.renderEDSLogin(w, r, http.StatusUnprocessableEntity, form)
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.TooMany {
			form.Errors.Add("sign", e.Key, e.Args)
			return h.renderEDSLogin(w, r, http.StatusTooManyRequests, form)
		}
		return err
	}
	if entry.Register != "" {
		if err := h.Kit.Sessions.RenewToken(ctx); err != nil {
			return err
		}
		sm := h.Kit.Sessions
		sm.Put(ctx, "eds_iin", signer.IIN)
		sm.Put(ctx, "eds_bin", signer.BIN)
		sm.Put(ctx, "eds_name", signer.CommonName)
		sm.Put(ctx, "eds_head", signer.Has(eds.Head))
		sm.Put(ctx, "eds_at", h.Kit.Now())
		return web.Redirect(w, r, "/register/"+entry.Register)
	}
	c := entry.Cabinet
	if err := c.LoginProblem(); err != nil {
		e, _ := apperr.As(err)
		p := &edsLoginPage{Page: h.Kit.Page(r, "eds.login.title"), Notice: e.Key, Args: e.Args}
		p.Form = web.NewForm(nil)
		return h.Kit.Render(w, r, http.StatusForbidden, "cabinet/login_eds", p)
	}
	if entry.Member != nil {
		err = h.Kit.LoginMember(ctx, c.ID, entry.Member.ID)
	} else {
		err = h.Kit.Login(ctx, "cabinet", c.ID)
	}
	if err != nil {
		return err
	}
	h.Kit.Flash(r, "login.welcome")
	return web.Redirect(w, r, "/cabinet")
}

// proof is what a certificate proved at /login/eds, while it is fresh.
type proof struct {
	IIN, BIN, Name string
	Head           bool
}

func (h *Handler) proof(r *http.Request) *proof {
	ctx, sm := r.Context(), h.Kit.Sessions
	at := sm.GetTime(ctx, "eds_at")
	if sm.GetString(ctx, "eds_iin") == "" || h.Kit.Now().Sub(at) > proofTTL {
		return nil
	}
	return &proof{IIN: sm.GetString(ctx, "eds_iin"), BIN: sm.GetString(ctx, "eds_bin"), Name: sm.GetString(ctx, "eds_name"),
		Head: sm.GetBool(ctx, "eds_head")}
}

func (h *Handler) forgetProof(r *http.Request) {
	for _, k := range []string{"eds_iin", "eds_bin", "eds_name", "eds_head", "eds_at"} {
		h.Kit.Sessions.Remove(r.Context(), k)
	}
}

// unavailable keeps a registration form on the page when the registry
// does not answer just now, saying so at the button; other errors pass.
func unavailable(form *web.Form, err error) error {
	if apperr.KindOf(err) == apperr.Unavailable {
		form.Errors.Add("register", "kz.registry_unavailable")
		return nil
	}
	return err
}

type kzRegisterPage struct {
	web.Page
	Person       *registry.Individual
	Organisation *registry.Organisation
	HeadName     string
}

// needProof sends someone without a fresh proof to sign in first: a
// registry record is shown only to whom a certificate proved it belongs.
func (h *Handler) needProof(w http.ResponseWriter, r *http.Request, organisation bool) (*proof, error) {
	if u := web.User(r.Context()); u != nil { // registering is for someone not logged in
		home := "/cabinet"
		if u.IsStaff() {
			home = "/office"
		}
		return nil, web.Redirect(w, r, home)
	}
	pr := h.proof(r)
	if pr == nil || organisation != (pr.BIN != "") || organisation && !pr.Head {
		h.Kit.Flash(r, "eds.proof_needed")
		return nil, web.Redirect(w, r, "/login/eds")
	}
	return pr, nil
}

func (h *Handler) renderCitizenForm(w http.ResponseWriter, r *http.Request, status int, pr *proof, form *web.Form) error {
	p := &kzRegisterPage{Page: h.Kit.Page(r, "kz.register.citizen.title")}
	p.Form = form
	var err error
	if p.Person, err = h.Accounts.Individual(r.Context(), pr.IIN, "register_form", actor(r)); unavailable(form, err) != nil {
		return err
	}
	return h.Kit.Render(w, r, status, "cabinet/register_citizen", p)
}

func (h *Handler) showCitizenForm(w http.ResponseWriter, r *http.Request) error {
	pr, err := h.needProof(w, r, false)
	if pr == nil {
		return err
	}
	return h.renderCitizenForm(w, r, http.StatusOK, pr, web.NewForm(nil))
}

func (h *Handler) registerCitizen(w http.ResponseWriter, r *http.Request) error {
	pr, err := h.needProof(w, r, false)
	if pr == nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	err = h.Accounts.RegisterCitizen(r.Context(), account.CitizenRegistration{IIN: pr.IIN, Email: form.Get("email"), Phone: form.Get("phone"),
		Password: form.Get("password"), PasswordConfirm: form.Get("password_confirm"), Consent: form.Get("consent") == "yes",
		Lang: web.Localizer(r.Context()).Lang}, actor(r))
	return h.registered(w, r, form, err, func(status int) error { return h.renderCitizenForm(w, r, status, pr, form) })
}

// registered ends a registration: errors at their fields, the rest kept;
// success forgets the proof and says to check the email.
func (h *Handler) registered(w http.ResponseWriter, r *http.Request, form *web.Form, err error, again func(int) error) error {
	if err != nil {
		e, ok := apperr.As(err)
		switch {
		case form.SetErrors(err):
			if fe, ok := form.Errors[esign.Field]; ok { // a refusal of the proof: said at the button
				delete(form.Errors, esign.Field)
				form.Errors.Add("register", fe.Key, fe.Args)
			}
		case ok && e.Kind != apperr.Internal: // the registry's answer, or a cabinet existing already
			form.Errors.Add("register", e.Key, e.Args)
		default:
			return err
		}
		form.Values.Del("password")
		form.Values.Del("password_confirm")
		return again(http.StatusUnprocessableEntity)
	}
	h.forgetProof(r)
	h.Kit.Sessions.Put(r.Context(), "register_email", account.NormalizeEmail(form.Get("email")))
	return web.Redirect(w, r, "/register/sent")
}

func (h *Handler) renderOrganisationForm(w http.ResponseWriter, r *http.Request, status int, pr *proof, form *web.Form) error {
	p := &kzRegisterPage{Page: h.Kit.Page(r, "kz.register.organisation.title"), HeadName: pr.Name}
	p.Form = form
	var err error
	if p.Organisation, err = h.Accounts.Organisation(r.Context(), pr.BIN, "register_form", actor(r)); unavailable(form, err) != nil {
		return err
	}
	return h.Kit.Render(w, r, status, "cabinet/register_organisation", p)
}

func (h *Handler) showOrganisationForm(w http.ResponseWriter, r *http.Request) error {
	pr, err := h.needProof(w, r, true)
	if pr == nil {
		return err
	}
	return h.renderOrganisationForm(w, r, http.StatusOK, pr, web.NewForm(nil))
}

func (h *Handler) registerOrganisation(w http.ResponseWriter, r *http.Request) error {
	pr, err := h.needProof(w, r, true)
	if pr == nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	err = h.Accounts.RegisterOrganisation(r.Context(), account.OrganisationRegistration{BIN: pr.BIN, HeadIIN: pr.IIN, HeadName: pr.Name,
		Email: form.Get("email"), Phone: form.Get("phone"), Lang: web.Localizer(r.Context()).Lang}, actor(r))
	return h.registered(w, r, form, err, func(status int) error { return h.renderOrganisationForm(w, r, status, pr, form) })
}
