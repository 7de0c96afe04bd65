package public

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/web"
)

type occupationsPage struct {
	web.Page
	Query   string
	Results []*classifier.Occupation
}

// searchOccupations is the classifier as a plain search page: it works
// without JavaScript, and the autocomplete of forms uses its JSON twin.
func (h *Handler) searchOccupations(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	p := &occupationsPage{Page: h.Kit.Page(r, "occupations.title"), Query: q}
	if q != "" {
		p.Results = h.Occupations.Search(q, true, 50)
	}
	return h.Kit.Render(w, r, http.StatusOK, "public/occupations", p)
}

// occupationsJSON answers the autocomplete: [{"code", "title"}] in the
// request's language, unit groups only.
func (h *Handler) occupationsJSON(w http.ResponseWriter, r *http.Request) error {
	lang := web.Localizer(r.Context()).Lang
	type item struct {
		Code  string `json:"code"`
		Title string `json:"title"`
	}
	out := []item{}
	for _, o := range h.Occupations.Search(r.URL.Query().Get("q"), true, 10) {
		out = append(out, item{Code: o.Code, Title: o.Title(lang)})
	}
	w.Header().Set("Content-Type", "application/json")
	// The titles are in the visitor's language: caches must keep them apart.
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Vary", "Cookie, Accept-Language")
	return json.NewEncoder(w).Encode(out)
}
