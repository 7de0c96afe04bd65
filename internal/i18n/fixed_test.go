package i18n

import (
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// TestFixedAsLocalized: a message T returns without go-i18n reads exactly
// as go-i18n gives it, with data or without, in every language; and the
// messages with placeholders or plural forms are not among them.
func TestFixedAsLocalized(t *testing.T) {
	c := MustLoad()
	data := map[string]any{"Number": "Q-2026-000001", "Name": "x"}
	for _, lang := range Langs {
		l := c.Localizer(lang)
		if len(l.fixed) < len(c.ids[lang])/2 {
			t.Errorf("%s: only %d of %d messages fixed", lang, len(l.fixed), len(c.ids[lang]))
		}
		for id, fixed := range l.fixed {
			for _, d := range []any{nil, data} {
				want, err := l.l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: d})
				if err != nil || fixed != want {
					t.Errorf("%s %s: fixed %q, go-i18n %q (%v)", lang, id, fixed, want, err)
				}
			}
		}
	}
	ru := c.Localizer("ru")
	for _, id := range []string{"login.throttled", "mail.application_received.body"} {
		if _, ok := ru.Fixed(id); ok {
			t.Errorf("%s has placeholders or plural forms, yet is fixed", id)
		}
	}
}
