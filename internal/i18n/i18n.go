// Package i18n holds the message catalogs in Russian, Kyrgyz, Kazakh and
// English and chooses a language for each request. Messages live in
// translations/{ru,ky,kk,en}.json with flat dotted ids; plural messages use
// CLDR categories (Russian has one, few, many and other).
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Langs are the supported languages, in the order the language switch shows them.
var Langs = []string{"ru", "ky", "kk", "en"}

// Names are the languages' names in themselves, for the switch.
var Names = map[string]string{"ru": "Русский", "ky": "Кыргызча", "kk": "Қазақша", "en": "English"}

//go:embed translations/*.json
var files embed.FS

// Catalog is the set of messages in every language.
type Catalog struct {
	bundle  *goi18n.Bundle
	matcher language.Matcher
	ids     map[string][]string // language → message ids
	// fixed holds, for each language, the messages that read the same
	// whatever the data: one form and no placeholder. Most are, and T
	// returns them without running go-i18n's lookup and template.
	fixed map[string]map[string]string
}

// Load parses the embedded catalogs.
func Load() (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{bundle: b, ids: map[string][]string{}, fixed: map[string]map[string]string{}}
	var tags []language.Tag
	for _, lang := range Langs {
		name := "translations/" + lang + ".json"
		data, err := fs.ReadFile(files, name)
		if err != nil {
			return nil, fmt.Errorf("i18n.Load: %w", err)
		}
		mf, err := b.ParseMessageFileBytes(data, name)
		if err != nil {
			return nil, fmt.Errorf("i18n.Load %s: %w", name, err)
		}
		c.fixed[lang] = map[string]string{}
		for _, m := range mf.Messages {
			c.ids[lang] = append(c.ids[lang], m.ID)
			if m.Zero+m.One+m.Two+m.Few+m.Many == "" && m.Other != "" && !strings.Contains(m.Other, "{{") {
				c.fixed[lang][m.ID] = m.Other
			}
		}
		tags = append(tags, language.MustParse(lang))
	}
	c.matcher = language.NewMatcher(tags)
	return c, nil
}

// MustLoad is Load for tests and start-up, where a broken catalog is fatal.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// IDs returns the message ids of a language, sorted.
func (c *Catalog) IDs(lang string) []string {
	ids := slices.Clone(c.ids[lang])
	slices.Sort(ids)
	return ids
}

// Match picks the best supported language for an Accept-Language header,
// or "" when nothing in it is supported.
func (c *Catalog) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return ""
	}
	_, idx, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return ""
	}
	return Langs[idx]
}

// Valid reports whether lang is a supported language code.
func Valid(lang string) bool { return slices.Contains(Langs, lang) }

// Localizer translates messages into one language.
type Localizer struct {
	Lang  string
	l     *goi18n.Localizer
	fixed map[string]string
}

// Localizer returns the translator for lang (which must be supported).
func (c *Catalog) Localizer(lang string) *Localizer {
	return &Localizer{Lang: lang, l: goi18n.NewLocalizer(c.bundle, lang), fixed: c.fixed[lang]}
}

// Fixed returns the message id stands for when it reads the same whatever the data,
// so that a caller can skip building the data.
func (l *Localizer) Fixed(id string) (string, bool) {
	s, ok := l.fixed[id]
	return s, ok
}

// Missing is the prefix of a message whose id has no translation: pages
// show it instead of failing, and the accessibility crawl looks for it.
const Missing = "MISSING:"

// T translates id; data (a map) fills {{.Name}} placeholders, and its
// "Count", when present, chooses the plural form.
func (l *Localizer) T(id string, data ...any) string {
	if s, ok := l.fixed[id]; ok {
		return s
	}
	var d any
	var count any
	if len(data) > 0 {
		d = data[0]
		if m, ok := d.(map[string]any); ok {
			count = m["Count"]
		}
	}
	s, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: d, PluralCount: count})
	if err != nil || s == "" {
		return Missing + id
	}
	return s
}
