package cabinet

import (
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/web"
)

type homePage struct {
	web.Page
	Cabinet     *account.Cabinet
	Citizenship string
	Documents   []document.Document
	// Memberships are the organisations a citizen acts for.
	Memberships []account.Membership
	Member      bool // a member acting for an organisation is logged in
}

func (h *Handler) showHome(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := web.User(ctx)
	c, err := account.ByID(ctx, h.DB, u.ID)
	if err != nil {
		return err
	}
	docs, err := h.Documents.ByCabinet(ctx, c.ID)
	if err != nil {
		return err
	}
	p := &homePage{Page: h.Kit.Page(r, "cabinet.title"), Cabinet: c, Documents: docs, Member: u.Member != 0}
	if c.IIN != "" {
		if p.Memberships, err = account.Memberships(ctx, h.DB, c.IIN); err != nil {
			return err
		}
	}
	if c.Person != nil {
		p.Citizenship = classifier.CountryName(ctx, h.DB, c.Person.Citizenship, p.Lang)
	}
	return h.Kit.Render(w, r, http.StatusOK, "cabinet/home", p)
}

// showDocument sends one of the cabinet's own documents: loaded through
// the ownership check, inline only for types a browser shows safely.
func (h *Handler) showDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return apperr.New(apperr.NotFound, "error.not_found")
	}
	d, err := h.Documents.OfCabinet(r.Context(), web.User(r.Context()).ID, id)
	if err != nil {
		return err
	}
	return ServeDocument(w, r, h.Documents, d)
}

// ServeDocument writes a stored document with safe headers: nosniff, a
// sandboxing CSP, inline only for PDF, JPEG and PNG (as sniffed at upload)
// and only when not asked to download (?download=1).
func ServeDocument(w http.ResponseWriter, r *http.Request, docs *document.Service, d document.Document) error {
	f, err := docs.Open(r.Context(), d)
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Length", strconv.FormatInt(d.Size, 10))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "private, no-store")
	disp := "attachment"
	if r.URL.Query().Get("download") == "" &&
		(d.ContentType == "application/pdf" || d.ContentType == "image/jpeg" || d.ContentType == "image/png") {
		disp = "inline"
	}
	h.Set("Content-Disposition", fmt.Sprintf("%s; filename*=UTF-8''%s", disp, urlPathEscape(d.Filename)))
	_, err = io.Copy(w, f)
	return err
}

func urlPathEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}
