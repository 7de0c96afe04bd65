package classifier

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/emgek/emgek/internal/db"
)

// Occupation is an ISCO-08 group: level 1 is a major group (one digit),
// 4 a unit group (four digits), which is what applications name.
type Occupation struct {
	Code   string
	Level  int
	Parent string
	Titles map[string]string // by language
	Review string            // languages whose title awaits the ministry's review
}

// Label is "code title" in lang for a code of the classifier, "" for
// another.
func (o *Occupations) Label(code, lang string) string {
	if oc := o.ByCode(code); oc != nil {
		return oc.Code + " " + oc.Title(lang)
	}
	return ""
}

// Title is the title in lang, English when there is none.
func (o *Occupation) Title(lang string) string {
	if t := o.Titles[lang]; t != "" {
		return t
	}
	return o.Titles["en"]
}

// Occupations is the whole classifier in memory (619 groups), searched by
// code or by any word of a title in any language — fast enough for an
// autocomplete on every keystroke without a database query.
type Occupations struct {
	list   []Occupation
	byCode map[string]*Occupation
	words  [][]string // per occupation: normalized words of all its titles
}

// LoadOccupations reads the classifier.
func LoadOccupations(ctx context.Context, d *db.DB) (*Occupations, error) {
	rows, err := d.Query(ctx, `SELECT code, level, COALESCE(parent_code, ''), title_en, title_ru, title_ky, title_kk, review
		FROM occupations ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("classifier.LoadOccupations: %w", err)
	}
	defer rows.Close()
	o := &Occupations{byCode: map[string]*Occupation{}}
	for rows.Next() {
		var x Occupation
		var en, ru, ky, kk string
		if err := rows.Scan(&x.Code, &x.Level, &x.Parent, &en, &ru, &ky, &kk, &x.Review); err != nil {
			return nil, fmt.Errorf("classifier.LoadOccupations: %w", err)
		}
		x.Titles = map[string]string{"en": en, "ru": ru, "ky": ky, "kk": kk}
		o.list = append(o.list, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range o.list {
		x := &o.list[i]
		o.byCode[x.Code] = x
		var ws []string
		for _, t := range x.Titles {
			for _, w := range words(t) {
				if !slices.Contains(ws, w) {
					ws = append(ws, w)
				}
			}
		}
		o.words = append(o.words, ws)
	}
	return o, nil
}

// ByCode returns a group, or nil.
func (o *Occupations) ByCode(code string) *Occupation { return o.byCode[code] }

// Len is the number of groups.
func (o *Occupations) Len() int { return len(o.list) }

// words lower-cases a text, folds ё to е, and splits it into words.
func words(s string) []string {
	return strings.FieldsFunc(normalize(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case 'ё', 'Ё':
			return 'е'
		}
		return unicode.ToLower(r)
	}, s)
}

// Search returns up to limit groups whose code starts with the query, or
// whose titles (any language) have words starting with every word of the
// query; unit groups only when units is set. Code matches come first,
// then by code.
func (o *Occupations) Search(query string, units bool, limit int) []*Occupation {
	q := words(query)
	if len(q) == 0 {
		return nil
	}
	var byCode, byTitle []*Occupation
	for i := range o.list {
		x := &o.list[i]
		if units && x.Level != 4 {
			continue
		}
		if len(q) == 1 && strings.HasPrefix(x.Code, q[0]) {
			byCode = append(byCode, x)
			continue
		}
		if matchAll(o.words[i], q) {
			byTitle = append(byTitle, x)
		}
		if len(byCode) >= limit {
			break
		}
	}
	out := append(byCode, byTitle...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func matchAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if strings.HasPrefix(h, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// RegionAndGroupNames names the regions and the occupation major groups —
// the two halves of a quota ledger cell — in lang, by code.
func RegionAndGroupNames(ctx context.Context, d *db.DB, o *Occupations, lang string) (map[string]string, error) {
	regions, err := Regions(ctx, d, lang)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, r := range regions {
		names[r.Code] = r.Name
	}
	for g := '0'; g <= '9'; g++ {
		if x := o.ByCode(string(g)); x != nil {
			names[x.Code] = x.Code + " " + x.Title(lang)
		}
	}
	return names, nil
}
