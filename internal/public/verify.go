package public

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/verify"
	"github.com/emgek/emgek/internal/web"
)

type verifyPage struct {
	web.Page
	Genuine  bool
	Issued   verify.Issued
	Number   string
	Holder   string
	Protocol string
	Rows     []quota.Row
	Permit   *permitCheck // a work permit: only what a checker needs
}

// permitCheck is all the verification page says of a work permit: its
// state, number, the holder's initials and the validity dates — nothing
// a stranger holding the paper could misuse.
type permitCheck struct {
	State      string // valid, expired, revoked, not_yet_valid
	Number     string
	Initials   string
	ValidFrom  string
	ValidUntil string
	Printed    string // the end date on the paper, when an extension has moved it since
}

// verifyDocument is what a QR code opens: whether the document is
// genuine and what it says, from the database, with the SHA-256 of the
// PDF as issued. Every check is logged. No login, no session.
func (h *Handler) verifyDocument(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := &verifyPage{Page: h.Kit.Page(r, "verify.title")}
	id, err := h.Issuer.Signer.Check(r.PathValue("token"))
	if err == nil {
		p.Issued, err = h.Issuer.ByID(ctx, id)
	}
	result := "genuine"
	switch {
	case errors.Is(err, verify.ErrForged):
		result = "forged"
	case apperr.IsNotFound(err):
		result = "unknown"
	case err != nil:
		return err // the database failed: not a verdict on the document
	}
	if result == "genuine" {
		if err := h.describe(r, p); err != nil {
			return err
		}
		p.Genuine = true
	}
	if p.Permit != nil {
		result += " " + p.Permit.State
	}
	if err := h.DB.Transact(ctx, func(tx *db.DB) error {
		return audit.Record(ctx, tx, h.Kit.Now(), audit.Event{Actor: "anonymous", Action: "document.verify",
			Object: "issued:" + strconv.FormatInt(p.Issued.ID, 10), IP: web.ClientIP(r), Detail: result})
	}); err != nil {
		return err
	}
	status := http.StatusOK
	if !p.Genuine {
		status = http.StatusNotFound
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.Kit.Render(w, r, status, "public/verify", p)
}

// describe fills in what the document says, for the kinds there are.
func (h *Handler) describe(r *http.Request, p *verifyPage) error {
	ctx := r.Context()
	if strings.HasPrefix(p.Issued.Kind, "permit@") {
		a, err := h.Permits.ByCase(ctx, h.DB, p.Issued.CaseID)
		if err != nil {
			return err
		}
		p.Permit = &permitCheck{State: a.State(permit.Today(h.Kit.Now())), Number: a.PermitNumber, Initials: a.Holder.Initials(),
			ValidFrom: a.ValidFrom, ValidUntil: a.ValidUntil}
		if printed := strings.TrimPrefix(p.Issued.Kind, "permit@"); printed != a.ValidUntil {
			p.Permit.Printed = printed
		}
		return nil
	}
	a, err := h.Quotas.ByCase(ctx, h.DB, p.Issued.CaseID)
	if err != nil {
		return err
	}
	c, err := account.ByID(ctx, h.DB, a.Case.CabinetID)
	if err != nil {
		return err
	}
	p.Number, p.Holder, p.Rows = a.Case.Number, c.DisplayName(), a.Rows
	for i := range p.Rows { // names in the checker's language
		p.Rows[i].Country = classifier.CountryName(ctx, h.DB, p.Rows[i].Country, p.Lang)
		if o := h.Occupations.ByCode(p.Rows[i].Occupation); o != nil {
			p.Rows[i].Occupation = o.Code + " " + o.Title(p.Lang)
		}
	}
	p.Protocol = p.L.T("extract.protocol_value", map[string]any{"Number": a.ProtocolNumber, "Date": a.ProtocolDate})
	return nil
}

// verifyKeys publishes the public keys, for checking tokens offline.
func (h *Handler) verifyKeys(w http.ResponseWriter, r *http.Request) error {
	type key struct {
		ID        string `json:"key_id"`
		Algorithm string `json:"algorithm"`
		Public    string `json:"public_key"` // base64
	}
	var keys []key
	for id, pub := range h.Issuer.Signer.Keys {
		keys = append(keys, key{ID: id, Algorithm: "Ed25519", Public: base64.StdEncoding.EncodeToString(pub)})
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].ID < keys[j].ID })
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]any{
		"keys":   keys,
		"format": "v1.<key_id>.<document_id>.<base64url Ed25519 signature of \"emgek verify\\nv1.<key_id>.<document_id>\">",
	})
}
