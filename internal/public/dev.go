package public

import (
	"net/http"

	"github.com/emgek/emgek/internal/mail"
	"github.com/emgek/emgek/internal/web"
)

// Dev serves the development-only pages: the outbox of emails that a
// server without SMTP keeps, so their links can be clicked. A server
// without --dev does not register these routes at all.
type Dev struct {
	Kit    *web.Kit
	Outbox *mail.Outbox
}

// Routes registers the /dev pages.
func (h *Dev) Routes(rt *web.Router) {
	rt.Handle("GET /dev/mail", web.Public, h.listMail)
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
