// Command gencountries generates the countries migration from Debian's
// iso-codes data.
//
// It reads the ISO 3166-1 country list shipped by the iso-codes package
// (JSON, with English names) together with its gettext catalogs for Russian,
// Kyrgyz and Kazakh, applies a small set of reviewed overrides, and writes
// one goose SQL migration per SQL dialect tree:
//
//	internal/db/migrations/sqlite/00002_countries.sql
//	internal/db/migrations/postgres/00002_countries.sql
//
// Both files have identical content: a CREATE TABLE for countries followed
// by a single multi-row INSERT that is valid on SQLite and PostgreSQL.
//
// Usage, from anywhere inside the module (a Debian or Ubuntu system with the
// iso-codes package installed is required: apt-get install iso-codes):
//
//	go run ./tools/gencountries
//
// Flags:
//
//	-iso-json   ISO 3166-1 JSON file (default /usr/share/iso-codes/json/iso_3166-1.json)
//	-locale-dir gettext locale root holding <lang>/LC_MESSAGES/iso_3166-1.mo
//	            (default /usr/share/locale)
//	-out        migrations root (default internal/db/migrations in the module root)
//
// English names use the iso-codes common_name when present (e.g. "Bolivia"
// rather than "Bolivia, Plurinational State of") and name otherwise.
// Translations are looked up in the .mo catalogs by common_name first and
// then by name, because the catalogs are keyed by the English strings of the
// JSON file. Where a Kyrgyz or Kazakh translation is missing the Russian name
// is used instead, and where a Russian one is missing the English name is
// used; each such row lists the affected languages in the fallback column
// (e.g. "ky,kk") so that it can be found and reviewed. An empty fallback
// means every name came from the catalogs or from the override table below.
//
// The generated files are committed; re-run the generator after upgrading
// iso-codes or editing the overrides, and do not edit its output by hand.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// Languages generated besides English, in column order.
var langs = []string{"ru", "ky", "kk"}

// overrides replaces (or supplies) a translated name for a country code.
// Every entry says why it exists. Keep this list short and reviewed; the
// generator warns when an override has become identical to the catalog.
var overrides = map[string]map[string]string{
	// iso-codes uses the Soviet-era exonym «Киргизия». The country's own
	// Russian usage, and this portal's users', is «Кыргызстан»: article 1 of
	// the Constitution's Russian text reads «Кыргызская Республика
	// (Кыргызстан)».
	"KG": {"ru": "Кыргызстан"},
	// iso-codes renamed "Turkey" to "Türkiye" (2022); the Russian and Kyrgyz
	// catalogs have no translation of the new English key yet, so without
	// these entries Russian would fall back to English.
	"TR": {"ru": "Турция", "ky": "Түркия"},

	// Plain errors in the catalogs (the catalog's wording is quoted).
	// «Соединённые штаты»: capitalisation.
	"US": {"ru": "Соединённые Штаты"},
	// «Соединенные штаты Малых Удаленных островов»: garbled.
	"UM": {"ru": "Внешние малые острова США"},
	// «Американские Самоа»: wrong agreement.
	"AS": {"ru": "Американское Самоа"},
	// «Центрально-африканская республика», «Доминиканская республика»:
	// spelling and capitalisation.
	"CF": {"ru": "Центральноафриканская Республика"},
	"DO": {"ru": "Доминиканская Республика"},
	// ru «Острова северной Марианы»: garbled; ky «Түштүк Марианна
	// аралдары» means *Southern* Mariana Islands.
	"MP": {"ru": "Северные Марианские острова", "ky": "Түндүк Мариана аралдары"},
	// ky «Конго Республикасы» is the name of the other Congo (CG).
	"CD": {"ky": "Конго Демократиялык Республикасы"},
	// ky «Сингапур, мамлекет» ("Singapore, state").
	"SG": {"ky": "Сингапур"},
	// kk «Францияның Солтүстік Аймақтары» means *Northern* Territories.
	"TF": {"kk": "Францияның Оңтүстік Аймақтары"},
	// kk «Мариотт» (Marriott).
	"YT": {"kk": "Майот"},
	// kk «… Оңтүстік Сендвия аралдары»: typo.
	"GS": {"kk": "Оңтүстік Джорджия мен Оңтүстік Сандвич аралдары"},
}

func main() {
	isoJSON := flag.String("iso-json", "/usr/share/iso-codes/json/iso_3166-1.json", "ISO 3166-1 JSON file from iso-codes")
	localeDir := flag.String("locale-dir", "/usr/share/locale", "gettext locale root holding <lang>/LC_MESSAGES/iso_3166-1.mo")
	out := flag.String("out", "", "migrations root directory (default: internal/db/migrations in the module root)")
	flag.Parse()

	if err := run(*isoJSON, *localeDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencountries:", err)
		os.Exit(1)
	}
}

func run(isoJSON, localeDir, out string) error {
	if out == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		out = filepath.Join(root, "internal", "db", "migrations")
	}

	entries, err := readISO3166(isoJSON)
	if err != nil {
		return err
	}
	catalogs := make(map[string]*Catalog, len(langs))
	for _, lang := range langs {
		path := filepath.Join(localeDir, lang, "LC_MESSAGES", "iso_3166-1.mo")
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		cat, err := ParseMO(data)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		catalogs[lang] = cat
	}

	rows, err := buildRows(entries, catalogs, overrides)
	if err != nil {
		return err
	}
	sql, err := renderSQL(rows)
	if err != nil {
		return err
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		dir := filepath.Join(out, dialect)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "00002_countries.sql"), sql, 0o644); err != nil {
			return err
		}
	}

	var review int
	for _, r := range rows {
		if r.Fallback != "" {
			review++
			fmt.Fprintf(os.Stderr, "needs review: %s %q fallback=%s\n", r.Code, r.NameEN, r.Fallback)
		}
	}
	fmt.Fprintf(os.Stderr, "wrote %d countries (%d with fallback names) to %s/{sqlite,postgres}/00002_countries.sql\n", len(rows), review, out)
	return nil
}

// moduleRoot walks up from the working directory to the directory holding
// go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found; run from inside the module or pass -out")
		}
		dir = parent
	}
}

// isoEntry is one element of the "3166-1" array of iso_3166-1.json.
type isoEntry struct {
	Alpha2       string `json:"alpha_2"`
	Alpha3       string `json:"alpha_3"`
	Numeric      string `json:"numeric"`
	Name         string `json:"name"`
	CommonName   string `json:"common_name"`
	OfficialName string `json:"official_name"`
}

func readISO3166(path string) ([]isoEntry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Entries []isoEntry `json:"3166-1"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Entries) == 0 {
		return nil, fmt.Errorf("%s: no 3166-1 entries", path)
	}
	return doc.Entries, nil
}

// row is one country as written to the migration.
type row struct {
	Code, Alpha3, Numeric string
	NameEN                string
	Names                 map[string]string // by language in langs
	Fallback              string            // comma-separated languages that fell back
}

func buildRows(entries []isoEntry, catalogs map[string]*Catalog, overrides map[string]map[string]string) ([]row, error) {
	seen := make(map[string]bool, len(entries))
	rows := make([]row, 0, len(entries))
	for _, e := range entries {
		if len(e.Alpha2) != 2 || len(e.Alpha3) != 3 || len(e.Numeric) != 3 || e.Name == "" {
			return nil, fmt.Errorf("malformed iso-codes entry %+v", e)
		}
		if seen[e.Alpha2] {
			return nil, fmt.Errorf("duplicate code %s", e.Alpha2)
		}
		seen[e.Alpha2] = true

		r := row{
			Code:    e.Alpha2,
			Alpha3:  e.Alpha3,
			Numeric: e.Numeric,
			NameEN:  e.Name,
			Names:   make(map[string]string, len(langs)),
		}
		if e.CommonName != "" {
			r.NameEN = e.CommonName
		}
		var fellBack []string
		for _, lang := range langs {
			name, ok := translate(catalogs[lang], e.CommonName, e.Name)
			if o, has := overrides[e.Alpha2][lang]; has {
				if ok && o == name {
					fmt.Fprintf(os.Stderr, "warning: override %s/%s %q now matches iso-codes; remove it\n", e.Alpha2, lang, o)
				}
				name, ok = o, true
			}
			if !ok {
				fellBack = append(fellBack, lang)
				if lang == "ru" {
					name = r.NameEN
				} else {
					name = r.Names["ru"]
				}
			}
			r.Names[lang] = name
		}
		r.Fallback = strings.Join(fellBack, ",")
		rows = append(rows, r)
	}
	for code := range overrides {
		if !seen[code] {
			return nil, fmt.Errorf("override for unknown code %s", code)
		}
	}
	slices.SortFunc(rows, func(a, b row) int { return strings.Compare(a.Code, b.Code) })
	return rows, nil
}

// translate looks the English keys up in order and returns the first usable
// translation. A translation with no Cyrillic letter (an untranslated copy of
// the English string) does not count: ru, ky and kk are all written in
// Cyrillic.
func translate(cat *Catalog, keys ...string) (string, bool) {
	for _, key := range keys {
		if key == "" {
			continue
		}
		s, ok := cat.Lookup(key)
		if !ok {
			continue
		}
		s = strings.TrimSpace(s)
		if strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) >= 0 {
			return s, true
		}
	}
	return "", false
}

const header = `-- Code generated by "go run ./tools/gencountries" from Debian iso-codes (ISO 3166-1 data and translations, LGPL-2.1+). DO NOT EDIT.
-- Names: name_en, name_ru, name_ky, name_kk. fallback lists the languages whose name was missing and was
-- copied from Russian (ky, kk) or English (ru); such rows need review.
`

func renderSQL(rows []row) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(header)
	b.WriteString(`
-- +goose Up
CREATE TABLE countries (
    code TEXT PRIMARY KEY CHECK (length(code) = 2),
    alpha3 TEXT NOT NULL,
    numeric_code TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_ky TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    fallback TEXT NOT NULL DEFAULT ''
);

INSERT INTO countries (code, alpha3, numeric_code, name_en, name_ru, name_ky, name_kk, fallback) VALUES
`)
	for i, r := range rows {
		vals := []string{r.Code, r.Alpha3, r.Numeric, r.NameEN, r.Names["ru"], r.Names["ky"], r.Names["kk"], r.Fallback}
		quoted := make([]string, len(vals))
		for j, v := range vals {
			q, err := sqlString(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", r.Code, err)
			}
			quoted[j] = q
		}
		sep := ","
		if i == len(rows)-1 {
			sep = ";"
		}
		fmt.Fprintf(&b, "    (%s)%s\n", strings.Join(quoted, ", "), sep)
	}
	b.WriteString(`
-- +goose Down
DROP TABLE countries;
`)
	return b.Bytes(), nil
}

// sqlString quotes s as a standard SQL string literal, which both SQLite and
// PostgreSQL (with standard_conforming_strings, the default) read verbatim.
// Characters that would make the literal ambiguous between dialects or break
// goose's line-based statement splitting are rejected.
func sqlString(s string) (string, error) {
	if strings.ContainsAny(s, "\\;\x00\r\n") {
		return "", fmt.Errorf("unsupported character in %q", s)
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
}

// Catalog is a parsed GNU gettext message catalog (.mo file).
type Catalog struct {
	msgs map[string]string
}

// Lookup returns the translation of msgid (without context). For plural
// entries msgid is the singular form and the first translated form is
// returned. Empty translations are reported as missing.
func (c *Catalog) Lookup(msgid string) (string, bool) {
	s, ok := c.msgs[msgid]
	if !ok || s == "" {
		return "", false
	}
	return s, true
}

// LookupContext returns the translation of msgid in the given msgctxt.
func (c *Catalog) LookupContext(ctx, msgid string) (string, bool) {
	return c.Lookup(ctx + "\x04" + msgid)
}

// Len reports the number of messages in the catalog, excluding the header.
func (c *Catalog) Len() int { return len(c.msgs) }

const (
	moMagic        = 0x950412de
	moHeaderLength = 28 // magic, revision, N, O, T, S, H: seven 32-bit words
)

// ParseMO parses a GNU .mo file. The layout (all fields 32-bit words in the
// byte order that makes the magic number read as 0x950412de):
//
//	0  magic
//	4  file format revision (major revision in the high 16 bits, must be 0 or 1)
//	8  N, number of strings
//	12 O, offset of the table with the original strings
//	16 T, offset of the table with the translated strings
//	20 S, size of the hashing table
//	24 H, offset of the hashing table
//
// Each table holds N (length, offset) pairs of 32-bit words; the length does
// not include the terminating NUL. A msgid holding "\x04" is "context\x04id";
// a plural msgid is "singular\x00plural" and its msgstr holds the forms
// separated by NULs. The empty msgid carries the header, whose charset must be
// UTF-8 (or absent).
func ParseMO(data []byte) (*Catalog, error) {
	if len(data) < moHeaderLength {
		return nil, errors.New("mo: file too short")
	}
	var order binary.ByteOrder
	switch {
	case binary.LittleEndian.Uint32(data) == moMagic:
		order = binary.LittleEndian
	case binary.BigEndian.Uint32(data) == moMagic:
		order = binary.BigEndian
	default:
		return nil, errors.New("mo: bad magic number")
	}
	word := func(off int) uint32 { return order.Uint32(data[off:]) }
	if major := word(4) >> 16; major > 1 {
		return nil, fmt.Errorf("mo: unsupported major revision %d", major)
	}
	n, origTab, transTab := uint64(word(8)), uint64(word(12)), uint64(word(16))
	size := uint64(len(data))
	if origTab+8*n > size || transTab+8*n > size {
		return nil, errors.New("mo: string table out of range")
	}
	str := func(tab, i uint64) (string, error) {
		length := uint64(word(int(tab + 8*i)))
		off := uint64(word(int(tab + 8*i + 4)))
		if off+length > size {
			return "", fmt.Errorf("mo: string %d out of range", i)
		}
		return string(data[off : off+length]), nil
	}

	cat := &Catalog{msgs: make(map[string]string, n)}
	for i := range n {
		id, err := str(origTab, i)
		if err != nil {
			return nil, err
		}
		msg, err := str(transTab, i)
		if err != nil {
			return nil, err
		}
		if id == "" {
			if cs := headerCharset(msg); cs != "" && !strings.EqualFold(cs, "UTF-8") {
				return nil, fmt.Errorf("mo: unsupported charset %q", cs)
			}
			continue
		}
		id, _, _ = strings.Cut(id, "\x00")   // plural: key by singular
		msg, _, _ = strings.Cut(msg, "\x00") // plural: first form
		cat.msgs[id] = msg
	}
	return cat, nil
}

// headerCharset extracts the charset from a catalog header's Content-Type.
func headerCharset(header string) string {
	for line := range strings.SplitSeq(header, "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || !strings.EqualFold(strings.TrimSpace(name), "Content-Type") {
			continue
		}
		_, cs, ok := strings.Cut(value, "charset=")
		if !ok {
			return ""
		}
		cs, _, _ = strings.Cut(cs, ";")
		return strings.TrimSpace(cs)
	}
	return ""
}
