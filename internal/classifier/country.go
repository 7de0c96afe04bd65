// Package classifier serves the reference data loaded by migrations:
// countries (ISO 3166-1 with names in ru, ky, kk, en), later occupations
// and regions.
package classifier

import (
	"context"
	"fmt"

	"github.com/emgek/emgek/internal/db"
)

// Country is one country with its name in the requested language.
type Country struct {
	Code string
	Name string
}

// Countries lists the countries by name in lang (ru, ky, kk or en).
func Countries(ctx context.Context, d *db.DB, lang string) ([]Country, error) {
	col := nameColumn(lang)
	rows, err := d.Query(ctx, `SELECT code, `+col+` FROM countries ORDER BY `+col)
	if err != nil {
		return nil, fmt.Errorf("classifier.Countries: %w", err)
	}
	defer rows.Close()
	var out []Country
	for rows.Next() {
		var c Country
		if err := rows.Scan(&c.Code, &c.Name); err != nil {
			return nil, fmt.Errorf("classifier.Countries: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CountryName returns the name of code in lang, or the code when unknown.
func CountryName(ctx context.Context, d *db.DB, code, lang string) string {
	col := nameColumn(lang)
	var name string
	if err := d.QueryRow(ctx, `SELECT `+col+` FROM countries WHERE code = $1`, code).Scan(&name); err != nil {
		return code
	}
	return name
}

// RegionName returns the name of a region in lang, or the code when
// unknown.
func RegionName(ctx context.Context, d *db.DB, code, lang string) string {
	var name string
	if err := d.QueryRow(ctx, `SELECT `+nameColumn(lang)+` FROM regions WHERE code = $1`, code).Scan(&name); err != nil {
		return code
	}
	return name
}

// Region is a first-level unit of a jurisdiction.
type Region struct {
	Code string
	Name string
}

// Regions lists Kyrgyzstan's regions with names in lang.
func Regions(ctx context.Context, d *db.DB, lang string) ([]Region, error) {
	col := nameColumn(lang)
	rows, err := d.Query(ctx, `SELECT code, `+col+` FROM regions WHERE jurisdiction = 'KG' ORDER BY code`)
	if err != nil {
		return nil, fmt.Errorf("classifier.Regions: %w", err)
	}
	defer rows.Close()
	var out []Region
	for rows.Next() {
		var r Region
		if err := rows.Scan(&r.Code, &r.Name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// nameColumn is the column with names in lang (English when unknown).
func nameColumn(lang string) string {
	if col, ok := map[string]string{"ru": "name_ru", "ky": "name_ky", "kk": "name_kk", "en": "name_en"}[lang]; ok {
		return col
	}
	return "name_en"
}
