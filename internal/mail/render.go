package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"

	"github.com/emgek/emgek/internal/i18n"
)

//go:embed templates
var templateFS embed.FS

// Renderer turns a named email and its data into a Message in a language.
// Each email NAME has templates/NAME.txt and templates/NAME.html and the
// subject "mail.NAME.subject"; the bodies use {{t "id"}} for their text.
type Renderer struct {
	Catalog *i18n.Catalog
	BaseURL string
	text    *texttemplate.Template
	html    *htmltemplate.Template
	sets    sync.Pool // of *renderSet
}

// renderSet is a copy of the templates whose "t" translates for the
// email being rendered: copying the templates for every email was half of
// rendering it, so copies are reused, one email at a time each.
type renderSet struct {
	text *texttemplate.Template
	html *htmltemplate.Template
	t    func(id string, kv ...any) string // the email's; "t" calls it
}

// NewRenderer parses the email templates.
func NewRenderer(cat *i18n.Catalog, baseURL string) (*Renderer, error) {
	r := &Renderer{Catalog: cat, BaseURL: baseURL}
	stub := func(string, ...any) string { return "" }
	var err error
	r.text, err = texttemplate.New("").Funcs(texttemplate.FuncMap{"t": stub}).ParseFS(templateFS, "templates/*.txt")
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	r.html, err = htmltemplate.New("").Funcs(htmltemplate.FuncMap{"t": stub}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("mail: %w", err)
	}
	return r, nil
}

// Names lists the emails there are templates for.
func (r *Renderer) Names() []string {
	var names []string
	for _, t := range r.text.Templates() {
		if n, ok := strings.CutSuffix(t.Name(), ".txt"); ok {
			names = append(names, n)
		}
	}
	return names
}

// Has reports whether there is an email called name.
func (r *Renderer) Has(name string) bool { return r.text.Lookup(name+".txt") != nil }

// Render produces the email name for to in lang. data is available to the
// templates as .D, the base URL as .Base.
func (r *Renderer) Render(name, lang, to string, data map[string]any) (Message, error) {
	l := r.Catalog.Localizer(lang)
	t := func(id string, kv ...any) string {
		if s, ok := l.Fixed(id); ok {
			return s
		}
		args := map[string]any{}
		for k, v := range data {
			args[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			args[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return l.T(id, args)
	}
	view := map[string]any{"D": data, "Base": r.BaseURL, "Lang": lang}
	set, err := r.set()
	if err != nil {
		return Message{}, err
	}
	set.t = t
	defer func() {
		set.t = nil
		r.sets.Put(set)
	}()
	var text, html bytes.Buffer
	if err := set.text.ExecuteTemplate(&text, name+".txt", view); err != nil {
		return Message{}, fmt.Errorf("mail.Render %s: %w", name, err)
	}
	if err := set.html.ExecuteTemplate(&html, name+".html", view); err != nil {
		return Message{}, fmt.Errorf("mail.Render %s: %w", name, err)
	}
	return Message{To: to, Subject: t("mail." + name + ".subject"), Text: text.String(), HTML: html.String()}, nil
}

// set takes a copy of the templates from the pool, or makes one.
func (r *Renderer) set() (*renderSet, error) {
	if s, ok := r.sets.Get().(*renderSet); ok {
		return s, nil
	}
	s := &renderSet{}
	t := func(id string, kv ...any) string { return s.t(id, kv...) }
	tt, err := r.text.Clone()
	if err != nil {
		return nil, err
	}
	ht, err := r.html.Clone()
	if err != nil {
		return nil, err
	}
	s.text, s.html = tt.Funcs(texttemplate.FuncMap{"t": t}), ht.Funcs(htmltemplate.FuncMap{"t": t})
	return s, nil
}
