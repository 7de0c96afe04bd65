package i18n_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/emgek/emgek/internal/i18n"
)

// TestCatalogsComplete fails on a message missing or empty in any language.
func TestCatalogsComplete(t *testing.T) {
	c := i18n.MustLoad()
	want := map[string]bool{}
	for _, id := range c.IDs("en") {
		want[id] = true
	}
	for _, lang := range i18n.Langs {
		have := map[string]bool{}
		l := c.Localizer(lang)
		for _, id := range c.IDs(lang) {
			have[id] = true
			if !want[id] {
				t.Errorf("%s: %s is not in the English catalog", lang, id)
			}
		}
		for id := range want {
			if !have[id] {
				t.Errorf("%s: missing %s", lang, id)
				continue
			}
			if s := l.T(id); strings.TrimSpace(s) == "" || strings.HasPrefix(s, i18n.Missing) {
				t.Errorf("%s: %s is empty", lang, id)
			}
		}
	}
}

// TestPlaceholdersKept: a translation keeps the {{.X}} of the English.
func TestPlaceholdersKept(t *testing.T) {
	c := i18n.MustLoad()
	re := regexp.MustCompile(`\{\{\.[A-Za-z]+\}\}`)
	raw := map[string]map[string]any{}
	// Plural messages are objects of forms; compare their "other" form.
	text := func(v any) string {
		if m, ok := v.(map[string]any); ok {
			v = m["other"]
		}
		s, _ := v.(string)
		return s
	}
	for _, lang := range i18n.Langs {
		raw[lang] = readCatalog(t, lang)
	}
	for _, id := range c.IDs("en") {
		en := text(raw["en"][id])
		for _, ph := range re.FindAllString(en, -1) {
			for _, lang := range i18n.Langs {
				if s := text(raw[lang][id]); !strings.Contains(s, ph) {
					t.Errorf("%s: %s lacks %s", lang, id, ph)
				}
			}
		}
	}
}

// TestUsedIDsExist: every id the templates and code name literally exists.
func TestUsedIDsExist(t *testing.T) {
	c := i18n.MustLoad()
	known := map[string]bool{}
	for _, id := range c.IDs("en") {
		known[id] = true
	}
	re := regexp.MustCompile(`\{\{-?\s*t\s+(?:\.L|\$l|\$f\.Page\.L|\.Page\.L)\s+"([a-z0-9_.]+)"|\{\{t "([a-z0-9_.]+)"`)
	root := filepath.Join("..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".html") || strings.HasSuffix(p, ".txt")) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			id := m[1] + m[2]
			if !known[id] {
				t.Errorf("%s uses %q, which is not in the catalogs", p, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMatch(t *testing.T) {
	c := i18n.MustLoad()
	for header, want := range map[string]string{
		"kk-KZ,kk;q=0.9,ru;q=0.8": "kk",
		"ky":                      "ky",
		"en-GB,en;q=0.5":          "en",
		"ru-RU":                   "ru",
		"de-DE":                   "",
		"":                        "",
	} {
		if got := c.Match(header); got != want {
			t.Errorf("Match(%q) = %q, want %q", header, got, want)
		}
	}
}

// TestRussianPlurals: Russian needs one, few and many forms.
func TestRussianPlurals(t *testing.T) {
	l := i18n.MustLoad().Localizer("ru")
	for n, want := range map[int]string{1: "1 секунду", 3: "3 секунды", 5: "5 секунд", 21: "21 секунду"} {
		if got := l.T("login.throttled", map[string]any{"Count": n}); !strings.Contains(got, want) {
			t.Errorf("Plural(%d) = %q, want it to contain %q", n, got, want)
		}
	}
}

func readCatalog(t *testing.T, lang string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("translations", lang+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}
