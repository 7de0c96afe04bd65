package cabinet

import (
	"net/http"
	"strconv"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/esign"
	"github.com/emgek/emgek/internal/web"
)

// A Kazakhstan organisation's page, for the people acting for it: its
// data from the register, the people the head lets act for it, and the
// confirmation of its data by EDS (seed 004).

// ConfirmAction names the signature confirming an organisation's data.
const ConfirmAction = "organisation.confirm"

// organisationData is exactly what the organisation confirms by signing:
// its canonical JSON is the signed content.
type organisationData struct {
	Action    string `json:"action"`
	Nonce     string `json:"nonce"` // issued with the page: the signature is good once
	BIN       string `json:"bin"`
	Name      string `json:"name"`
	LegalForm string `json:"legal_form"`
	Address   string `json:"address"`
	Head      string `json:"head"`
	Email     string `json:"email"`
	Phone     string `json:"phone"`
}

func confirmContent(c *account.Cabinet, nonce string) ([]byte, error) {
	e := c.Employer
	return esign.Canonical(organisationData{Action: ConfirmAction, Nonce: nonce, BIN: c.BIN, Name: e.OrgName, LegalForm: e.LegalForm,
		Address: e.RegisteredAddress, Head: e.HeadName, Email: c.Email, Phone: c.Phone})
}

type organisationPage struct {
	web.Page
	Cabinet    *account.Cabinet
	Me         *account.Member
	Members    []*account.Member
	Signatures []*esign.Signature
	Roles      []web.Option
	Sign       SignForm
}

// organisation loads the cabinet and the member acting for it; any other
// cabinet is told there is no such page.
func (h *Handler) organisation(r *http.Request) (*account.Cabinet, *account.Member, error) {
	ctx := r.Context()
	u := web.User(ctx)
	if u.Member == 0 {
		return nil, nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	c, err := account.ByID(ctx, h.DB, u.ID)
	if err != nil {
		return nil, nil, err
	}
	m, err := account.MemberByID(ctx, h.DB, u.Member)
	if err != nil || m == nil {
		return nil, nil, apperr.New(apperr.NotFound, "error.not_found")
	}
	return c, m, nil
}

func (h *Handler) renderOrganisation(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	ctx := r.Context()
	c, me, err := h.organisation(r)
	if err != nil {
		return err
	}
	p := &organisationPage{Page: h.Kit.Page(r, "org.title"), Cabinet: c, Me: me}
	p.Form = form
	if p.Members, err = account.Members(ctx, h.DB, c.ID); err != nil {
		return err
	}
	if p.Signatures, err = esign.Of(ctx, h.DB, "cabinet:"+strconv.FormatInt(c.ID, 10)); err != nil {
		return err
	}
	for _, role := range account.GrantRoles {
		p.Roles = append(p.Roles, web.Option{Value: role, Label: p.L.T("org.role." + role)})
	}
	var content []byte
	var nonce string
	if me.CanSign() && h.Signatures.Enabled() {
		if nonce, err = h.Signatures.Nonce(ctx); err != nil {
			return err
		}
		if content, err = confirmContent(c, nonce); err != nil {
			return err
		}
	}
	p.Sign = h.signForm(&p.Page, "/cabinet/organisation/confirm", "sign", content, "org.confirm.submit")
	p.Sign.Hidden["nonce"] = nonce
	return h.Kit.Render(w, r, status, "cabinet/organisation", p)
}

func (h *Handler) showOrganisation(w http.ResponseWriter, r *http.Request) error {
	return h.renderOrganisation(w, r, http.StatusOK, web.NewForm(nil))
}

// grantMember lets someone act for the organisation (the head only).
func (h *Handler) grantMember(w http.ResponseWriter, r *http.Request) error {
	_, me, err := h.organisation(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	if err := h.Accounts.Grant(r.Context(), me, form.Get("iin"), form.Get("role"), actor(r)); err != nil {
		if form.SetErrors(err) {
			return h.renderOrganisation(w, r, http.StatusUnprocessableEntity, form)
		}
		return err
	}
	h.Kit.Flash(r, "org.member_granted")
	return web.Redirect(w, r, "/cabinet/organisation")
}

func (h *Handler) withdrawMember(w http.ResponseWriter, r *http.Request) error {
	_, me, err := h.organisation(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	if err := h.Accounts.Withdraw(r.Context(), me, id, actor(r)); err != nil {
		return err
	}
	h.Kit.Flash(r, "org.member_withdrawn")
	return web.Redirect(w, r, "/cabinet/organisation")
}

// confirmOrganisation keeps the signature of the organisation's data: by
// the head or a signer, with a certificate of this organisation and of the
// person acting, over exactly the data the page showed.
func (h *Handler) confirmOrganisation(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, me, err := h.organisation(r)
	if err != nil {
		return err
	}
	if !me.CanSign() {
		return apperr.New(apperr.Forbidden, "org.cannot_sign")
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	content, err := confirmContent(c, form.Get("nonce"))
	if err != nil {
		return err
	}
	object := "cabinet:" + strconv.FormatInt(c.ID, 10)
	if signer, cerr := h.Signatures.Check(ctx, object, form.Get("nonce"), content, form.Get("cms"), actor(r)); cerr != nil {
		err = cerr
	} else if signer.BIN != c.BIN || signer.IIN != me.IIN {
		err = h.Signatures.Refuse(ctx, object, esign.CodeWrongPerson, actor(r))
	} else {
		err = h.DB.Transact(ctx, func(tx *db.DB) error {
			_, err := esign.Keep(ctx, tx, object, ConfirmAction, content, form.Get("cms"), signer, actor(r))
			return err
		})
	}
	if err != nil {
		if form.SetErrors(err) {
			return h.renderOrganisation(w, r, http.StatusUnprocessableEntity, form)
		}
		return err
	}
	h.Kit.Flash(r, "org.confirmed")
	return web.Redirect(w, r, "/cabinet/organisation")
}

// actFor switches a citizen's session to an organisation the head let
// them act for (they logged in by IIN and password).
func (h *Handler) actFor(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := web.User(ctx)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || u.Role != web.Citizen {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	me, err := account.ByID(ctx, h.DB, u.ID)
	if err != nil {
		return err
	}
	m, err := account.MemberOf(ctx, h.DB, id, me.IIN)
	if err != nil {
		return err
	}
	if m == nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	org, err := account.ByID(ctx, h.DB, id)
	if err != nil {
		return err
	}
	if err := org.LoginProblem(); err != nil {
		return err
	}
	if err := h.Kit.LoginMember(ctx, id, m.ID); err != nil {
		return err
	}
	return web.Redirect(w, r, "/cabinet/organisation")
}

// mayCommit refuses a member acting for an organisation who may not send,
// withdraw or extend in its name: the HR role prepares, the head and the
// signers commit.
func mayCommit(r *http.Request) error {
	u := web.User(r.Context())
	if u.Member != 0 && u.MemberRole != account.RoleHead && u.MemberRole != account.RoleSigner {
		return apperr.New(apperr.Forbidden, "org.cannot_sign")
	}
	return nil
}

// ownData refuses changes to an organisation's data from the portal: they
// come from the register of legal entities.
func ownData(r *http.Request) error {
	if web.User(r.Context()).Member != 0 {
		return apperr.New(apperr.Forbidden, "org.data_from_register")
	}
	return nil
}
