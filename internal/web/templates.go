package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/i18n"
)

//go:embed templates
var templateFS embed.FS

// templates holds one parsed template set per page: the layout and the
// partials, plus that page's file, so pages can each define "content".
type templates struct {
	pages  map[string]*template.Template
	layout *template.Template // the layout and partials alone, for frames
	frames frames
}

func parseTemplates(k *Kit) (*templates, error) {
	funcs := template.FuncMap{
		// t translates: {{t .L "id"}}, {{t .L "id" "Name" value}} or {{t .L "id" .Args}}.
		"t": func(l *i18n.Localizer, id string, kv ...any) string {
			if len(kv) == 1 {
				if m, ok := kv[0].(map[string]any); ok {
					return l.T(id, m)
				}
			}
			return l.T(id, dict(kv...))
		},
		"fieldError": func(l *i18n.Localizer, e apperr.FieldError) string { return l.T(e.Key, e.Args) },
		"dict":       dict,
		"list":       func(v ...any) []any { return v },
		"asset":      assetURL,
		"langs":      func() []string { return i18n.Langs },
		"langName":   func(l string) string { return i18n.Names[l] },
		"field":      field,
		"mark": func(p Pager, name, label string) string {
			p.base().seen(name, label)
			return ""
		},
		"inc":     func(i int) int { return i + 1 },
		"linkify": linkify,
		"sizeKB":  func(n int64) string { return fmt.Sprintf("%.0f KB", float64(n)/1024+0.5) },
	}
	shared := []string{}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasPrefix(p, "templates/layout/") || strings.HasPrefix(p, "templates/partials/")) {
			shared = append(shared, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	base, err := template.New("base").Funcs(funcs).ParseFS(templateFS, shared...)
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	t := &templates{pages: map[string]*template.Template{}, layout: template.Must(base.Clone())}
	err = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		if strings.HasPrefix(p, "templates/layout/") || strings.HasPrefix(p, "templates/partials/") {
			return nil
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), path.Ext(p))
		pt, err := template.Must(base.Clone()).ParseFS(templateFS, p)
		if err != nil {
			return fmt.Errorf("web: parse %s: %w", p, err)
		}
		t.pages[name] = pt
		return nil
	})
	return t, err
}

// execute renders the page's content first, so the fields it shows are
// known in order, then its error summary listing the problems in that
// order, inside the page's frame.
func (t *templates) execute(w io.Writer, name string, data Pager) error {
	pt, ok := t.pages[name]
	if !ok {
		return fmt.Errorf("web: no template %q", name)
	}
	content := getBuffer()
	defer putBuffer(content)
	if err := pt.ExecuteTemplate(content, "content", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	c := data.base().chrome()
	f, err := t.frame(c, data.base().L)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, f.top); err != nil {
		return err
	}
	if c.Errors {
		if err := pt.ExecuteTemplate(w, "errorsummary", data); err != nil {
			return fmt.Errorf("web: render %s: %w", name, err)
		}
	}
	if _, err := content.WriteTo(w); err != nil {
		return err
	}
	_, err = io.WriteString(w, f.bottom)
	return err
}

// chrome is everything the layout shows around a page's content: the
// layout's data holds nothing else, so the frame it renders is the same
// for the same chrome and is rendered once (a third of a busy page's
// rendering was its frame).
type chrome struct {
	Lang, TitleKey string
	Path           string // for the language switch's "next"
	Flash          string
	Errors         bool // the title says the form has problems
	Dev            bool
	LoggedIn       bool
	Staff          bool
	Role           Role
	Unread         int
}

// chromeData is what the layout template is given: a chrome, its
// language's localizer, and where the content goes.
type chromeData struct {
	chrome
	L       *i18n.Localizer
	Content template.HTML
}

// frame is the layout split where the content goes.
type frame struct{ top, bottom string }

// frames remembers the frames rendered, up to a bound: beyond it they are
// all forgotten and rendered again as asked (addresses with queries make
// many).
type frames struct {
	mu sync.RWMutex
	m  map[chrome]frame
}

const (
	maxFrames     = 1000
	maxFramedPath = 300 // longer addresses are framed afresh each time
	contentMark   = "<!--emgek:content-->"
)

// chrome is what the page's frame shows.
func (p *Page) chrome() chrome {
	c := chrome{Lang: p.Lang, TitleKey: p.TitleKey, Path: p.Path, Flash: p.Flash, Dev: p.Dev,
		Errors: p.Form != nil && len(p.Form.Errors) > 0}
	if u := p.User; u != nil {
		c.LoggedIn, c.Staff, c.Role, c.Unread = true, u.IsStaff(), u.Role, u.Unread
	}
	return c
}

// frame is the layout rendered for c in l's language, from frames when
// rendered before.
func (t *templates) frame(c chrome, l *i18n.Localizer) (frame, error) {
	t.frames.mu.RLock()
	f, ok := t.frames.m[c]
	t.frames.mu.RUnlock()
	if ok {
		return f, nil
	}
	b := getBuffer()
	defer putBuffer(b)
	if err := t.layout.ExecuteTemplate(b, "layout", chromeData{chrome: c, L: l, Content: contentMark}); err != nil {
		return frame{}, fmt.Errorf("web: render layout: %w", err)
	}
	top, bottom, ok := strings.Cut(b.String(), contentMark)
	if !ok {
		return frame{}, errors.New("web: the layout shows no .Content")
	}
	f = frame{top: top, bottom: bottom}
	if len(c.Path) <= maxFramedPath {
		t.frames.mu.Lock()
		if t.frames.m == nil || len(t.frames.m) >= maxFrames {
			t.frames.m = make(map[chrome]frame)
		}
		t.frames.m[c] = f
		t.frames.mu.Unlock()
	}
	return f, nil
}

// Fragment renders the template block of page name's template set with
// data, for a part of a page a handler reuses (say, a filter form that is
// the same for every request with the same filters and language).
func (k *Kit) Fragment(name, block string, data Pager) (template.HTML, error) {
	pt, ok := k.templates.pages[name]
	if !ok {
		return "", fmt.Errorf("web: no template %q", name)
	}
	b := getBuffer()
	defer putBuffer(b)
	if err := pt.ExecuteTemplate(b, block, data); err != nil {
		return "", fmt.Errorf("web: render %s %s: %w", name, block, err)
	}
	return template.HTML(b.String()), nil
}

// buffers are reused for rendering pages: a page is tens of kilobytes,
// and a buffer grown from empty each time was a tenth of a busy page's
// cost in copying and collecting.
var buffers = sync.Pool{New: func() any { return bytes.NewBuffer(make([]byte, 0, 64<<10)) }}

func getBuffer() *bytes.Buffer {
	b := buffers.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 1<<20 { // an unusually large page's buffer is left to the collector
		buffers.Put(b)
	}
}

// dict builds a map from key, value pairs for template calls.
func dict(kv ...any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// Field is what the form partials need about one input.
type Field struct {
	Page    *Page
	Name    string
	Label   string // translation id
	Hint    string // translation id, optional
	Type    string // text, email, password, tel, date, file …
	Value   string
	Error   string // translated problem, "" when fine
	Auto    string // autocomplete attribute
	Options []Option
	Width   string // govuk width class suffix: "10", "20", "one-half" …
	Files   []Upload
	Multi   bool
	Suggest string // URL answering suggestions as the user types (JSON)
}

// Option is one choice of a select or radios.
type Option struct {
	Value string
	Label string // already translated
}

// field prepares a Field for the partials: {{template "input" field . "email" "register.email" "type" "email"}}.
func field(p Pager, name, label string, kv ...any) Field {
	pg := p.base()
	pg.seen(name, label)
	f := Field{Page: pg, Name: name, Label: label, Type: "text"}
	if pg.Form != nil {
		f.Value = pg.Form.Get(name)
		if e, ok := pg.Form.Error(name); ok {
			f.Error = pg.L.T(e.Key, e.Args)
		}
		f.Files = pg.Form.Files[name]
	}
	opts := dict(kv...)
	if v, ok := opts["type"].(string); ok {
		f.Type = v
	}
	if v, ok := opts["hint"].(string); ok {
		f.Hint = v
	}
	if v, ok := opts["auto"].(string); ok {
		f.Auto = v
	}
	if v, ok := opts["width"].(string); ok {
		f.Width = v
	}
	if v, ok := opts["options"].([]Option); ok {
		f.Options = v
	}
	if v, ok := opts["suggest"].(string); ok {
		f.Suggest = v
	}
	if v, ok := opts["multi"].(bool); ok {
		f.Multi = v
	}
	if v, ok := opts["value"].(string); ok && f.Value == "" {
		f.Value = v
	}
	return f
}

var urlRe = regexp.MustCompile(`https?://[^\s<>"]+`)

// linkify escapes s and turns the URLs in it into links (the dev outbox).
func linkify(s string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range urlRe.FindAllStringIndex(s, -1) {
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		u := template.HTMLEscapeString(s[m[0]:m[1]])
		b.WriteString(`<a class="govuk-link" href="` + u + `">` + u + `</a>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return template.HTML(b.String())
}
