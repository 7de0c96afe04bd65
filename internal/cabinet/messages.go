package cabinet

import (
	"net/http"
	"strconv"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/message"
	"github.com/emgek/emgek/internal/web"
)

type messagesPage struct {
	web.Page
	Messages []message.Message
}

// listMessages shows the ministry's messages, unread first (S6).
func (h *Handler) listMessages(w http.ResponseWriter, r *http.Request) error {
	msgs, err := h.Messages.List(r.Context(), web.User(r.Context()).ID)
	if err != nil {
		return err
	}
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/messages", &messagesPage{Page: h.Kit.Page(r, "messages.title"), Messages: msgs})
}

type messagePageData struct {
	web.Page
	Message message.Message
}

// showMessage opens one of the cabinet's own messages and marks it read.
func (h *Handler) showMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	a := actor(r)
	m, err := h.Messages.Open(r.Context(), web.User(r.Context()).ID, id, a)
	if err != nil {
		return err
	}
	p := &messagePageData{Page: h.Kit.Page(r, "messages.title"), Message: m}
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/message", p)
}
