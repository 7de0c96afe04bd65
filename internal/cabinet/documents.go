package cabinet

import (
	"net/http"
	"strconv"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/web"
)

type documentsPage struct {
	web.Page
	Documents []document.Document
}

// listDocuments shows every current document with its number of versions.
func (h *Handler) listDocuments(w http.ResponseWriter, r *http.Request) error {
	docs, err := h.Documents.ByCabinet(r.Context(), web.User(r.Context()).ID)
	if err != nil {
		return err
	}
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/documents", &documentsPage{Page: h.Kit.Page(r, "documents.title"), Documents: docs})
}

// ownDocument loads a document of the session's cabinet from the URL.
func (h *Handler) ownDocument(r *http.Request) (document.Document, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return document.Document{}, apperr.New(apperr.NotFound, "error.not_found")
	}
	return h.Documents.OfCabinet(r.Context(), web.User(r.Context()).ID, id)
}

type versionsPage struct {
	web.Page
	Current  document.Document
	Versions []document.Document
}

// showVersions lists every version of a document, newest first.
func (h *Handler) showVersions(w http.ResponseWriter, r *http.Request) error {
	d, err := h.ownDocument(r)
	if err != nil {
		return err
	}
	versions, err := h.Documents.History(r.Context(), d.CabinetID, d.RootID)
	if err != nil {
		return err
	}
	p := &versionsPage{Page: h.Kit.Page(r, "documents.versions"), Current: versions[0], Versions: versions}
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/versions", p)
}

type replacePage struct {
	web.Page
	Document document.Document
}

func (h *Handler) renderReplace(w http.ResponseWriter, r *http.Request, status int, d document.Document, form *web.Form) error {
	p := &replacePage{Page: h.Kit.Page(r, "documents.replace"), Document: d}
	p.Form = form
	return h.Kit.Render(w, r, status, "cabinet/replace", p)
}

func (h *Handler) showReplace(w http.ResponseWriter, r *http.Request) error {
	d, err := h.ownDocument(r)
	if err != nil {
		return err
	}
	return h.renderReplace(w, r, http.StatusOK, d, web.NewForm(nil))
}

// replaceDocument adds a new version; the previous one stays.
func (h *Handler) replaceDocument(w http.ResponseWriter, r *http.Request) error {
	d, err := h.ownDocument(r)
	if err != nil {
		return err
	}
	a := actor(r)
	var replaced bool
	_, _, fe, err := web.ParseMultipart(w, r, func(p web.FilePart) (web.Upload, error) {
		if p.Field != "file" || replaced {
			return web.Upload{}, apperr.New(apperr.Invalid, "upload.bad_form")
		}
		nd, err := h.Documents.Replace(r.Context(), d.CabinetID, d.ID, p.Filename, p.ContentType, p.Body, a)
		replaced = err == nil
		return web.Upload{ID: nd.ID, Name: nd.Filename, Size: nd.Size}, err
	}, nil)
	if err != nil {
		return err
	}
	if !replaced && len(fe) == 0 {
		fe.Add("file", "upload.choose_file")
	}
	if len(fe) > 0 {
		form := web.NewForm(nil)
		form.Errors = fe
		return h.renderReplace(w, r, http.StatusUnprocessableEntity, d, form)
	}
	h.Kit.Flash(r, "documents.replaced")
	return web.Redirect(w, r, "/cabinet/documents")
}
