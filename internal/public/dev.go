package public

import (
	"net/http"
	"net/url"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/devpki"
	"github.com/emgek/emgek/internal/mail"
	"github.com/emgek/emgek/internal/ncalayer"
	"github.com/emgek/emgek/internal/web"
)

// Dev serves the development-only pages: the outbox of emails that a
// server without SMTP keeps, so their links can be clicked, and the
// NCALayer stand-in's settings. A server
// without --dev does not register these routes at all.
type Dev struct {
	Kit    *web.Kit
	Outbox *mail.Outbox
	// The NCALayer stand-in with the demo certificates (nil when off).
	StandIn     *ncalayer.StandIn
	PKI         *devpki.PKI
	NCALayerURL string
}

// Routes registers the /dev pages.
func (h *Dev) Routes(rt *web.Router) {
	rt.Handle("GET /dev/mail", web.Public, h.listMail)
	rt.Handle("GET /dev/ncalayer", web.Public, h.showNCALayer)
	rt.Handle("POST /dev/ncalayer", web.Public, h.setNCALayer)
}

type mailPage struct {
	web.Page
	Messages []mail.Stored
}

func (h *Dev) listMail(w http.ResponseWriter, r *http.Request) error {
	p := &mailPage{Page: h.Kit.Page(r, "dev.mail.title")}
	if h.Outbox != nil {
		msgs, err := h.Outbox.List(r.Context(), 50)
		if err != nil {
			return err
		}
		p.Messages = msgs
	}
	return h.Kit.Render(w, r, http.StatusOK, "dev/mail", p)
}

// The NCALayer stand-in's "dialog": which demo certificate it signs with,
// and what the next request does (sign, or as if Cancel was pressed, or
// fail), so the real page code can be walked without NCALayer.

type ncalayerPage struct {
	web.Page
	Running    bool
	URL        string
	Identities []web.Option
	Actions    []web.Option
}

func (h *Dev) showNCALayer(w http.ResponseWriter, r *http.Request) error {
	return h.renderNCALayer(w, r, http.StatusOK)
}

func (h *Dev) renderNCALayer(w http.ResponseWriter, r *http.Request, status int) error {
	p := &ncalayerPage{Page: h.Kit.Page(r, "dev.ncalayer.title"), Running: h.StandIn != nil, URL: h.NCALayerURL}
	if h.StandIn != nil && h.PKI != nil {
		for _, id := range h.PKI.Identities {
			label := id.Surname + " " + id.GivenName + " — IIN " + id.IIN
			if id.BIN != "" {
				label += ", " + id.OrgName + " (BIN " + id.BIN + ")"
			}
			p.Identities = append(p.Identities, web.Option{Value: id.Name, Label: p.L.T("dev.ncalayer.who."+id.Name) + ": " + label})
		}
		for _, a := range []ncalayer.Action{ncalayer.Sign, ncalayer.Cancel, ncalayer.Fail} {
			p.Actions = append(p.Actions, web.Option{Value: a.String(), Label: p.L.T("dev.ncalayer.action." + a.String())})
		}
		p.Form = web.NewForm(url.Values{"identity": {h.StandIn.Selected()}, "next": {h.StandIn.Next().String()}})
	} else {
		p.Form = web.NewForm(nil)
	}
	return h.Kit.Render(w, r, status, "dev/ncalayer", p)
}

func (h *Dev) setNCALayer(w http.ResponseWriter, r *http.Request) error {
	if h.StandIn == nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	if err := h.StandIn.Select(r.PostForm.Get("identity")); err != nil {
		return apperr.Field("identity", "form.choose")
	}
	for _, a := range []ncalayer.Action{ncalayer.Sign, ncalayer.Cancel, ncalayer.Fail} {
		if r.PostForm.Get("next") == a.String() {
			h.StandIn.SetNext(a)
		}
	}
	h.Kit.Flash(r, "dev.ncalayer.saved")
	return web.Redirect(w, r, "/dev/ncalayer")
}
