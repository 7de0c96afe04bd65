package main

import (
	"encoding/binary"
	"strings"
	"testing"
)

// buildMO assembles a .mo file by hand: the 28-byte header, the table of
// original strings, the table of translations, then the NUL-terminated
// strings themselves. No hash table is written (S = 0), as msgfmt allows.
func buildMO(order binary.ByteOrder, pairs [][2]string) []byte {
	n := uint32(len(pairs))
	const headerLen = 28
	origTab := uint32(headerLen)
	transTab := origTab + 8*n
	strOff := transTab + 8*n

	buf := make([]byte, strOff)
	order.PutUint32(buf[0:], 0x950412de) // magic
	order.PutUint32(buf[4:], 0)          // revision
	order.PutUint32(buf[8:], n)          // N
	order.PutUint32(buf[12:], origTab)   // O
	order.PutUint32(buf[16:], transTab)  // T
	order.PutUint32(buf[20:], 0)         // S
	order.PutUint32(buf[24:], strOff)    // H (unused when S is 0)

	put := func(tab uint32, i int, s string) {
		order.PutUint32(buf[tab+8*uint32(i):], uint32(len(s)))
		order.PutUint32(buf[tab+8*uint32(i)+4:], uint32(len(buf)))
		buf = append(buf, s...)
		buf = append(buf, 0)
	}
	for i, p := range pairs {
		put(origTab, i, p[0])
	}
	for i, p := range pairs {
		put(transTab, i, p[1])
	}
	return buf
}

var testPairs = [][2]string{
	// Originals must be sorted for a real catalog; the parser does not rely
	// on it, but keep them sorted anyway.
	{"", "Content-Type: text/plain; charset=UTF-8\nLanguage: ky\n"},
	{"Kazakhstan", "Казакстан"},
	{"Kyrgyzstan", "Кыргызстан"},
	{"Untranslated", ""},
	{"country\x04Georgia", "Грузия"},
	{"island\x00islands", "арал\x00аралдар"},
}

func TestParseMO(t *testing.T) {
	for _, tc := range []struct {
		name  string
		order binary.ByteOrder
	}{
		{"little-endian", binary.LittleEndian},
		{"big-endian", binary.BigEndian},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cat, err := ParseMO(buildMO(tc.order, testPairs))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := cat.Len(), len(testPairs)-1; got != want {
				t.Errorf("Len() = %d, want %d (header excluded)", got, want)
			}
			for _, c := range []struct {
				ctx, id, want string
				ok            bool
			}{
				{"", "Kyrgyzstan", "Кыргызстан", true},
				{"", "Kazakhstan", "Казакстан", true},
				{"", "Untranslated", "", false},
				{"", "Uzbekistan", "", false},
				{"", "", "", false}, // the header is not a message
				{"", "Georgia", "", false},
				{"country", "Georgia", "Грузия", true},
				{"", "island", "арал", true},
				{"", "islands", "", false},
			} {
				var got string
				var ok bool
				if c.ctx == "" {
					got, ok = cat.Lookup(c.id)
				} else {
					got, ok = cat.LookupContext(c.ctx, c.id)
				}
				if got != c.want || ok != c.ok {
					t.Errorf("lookup(%q, %q) = %q, %v; want %q, %v", c.ctx, c.id, got, ok, c.want, c.ok)
				}
			}
		})
	}
}

func TestParseMOErrors(t *testing.T) {
	good := buildMO(binary.LittleEndian, testPairs)
	corrupt := func(f func(b []byte) []byte) []byte {
		return f(append([]byte(nil), good...))
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"short", good[:20], "too short"},
		{"bad magic", corrupt(func(b []byte) []byte { b[0] ^= 0xff; return b }), "magic"},
		{"revision", corrupt(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[4:], 2<<16)
			return b
		}), "revision"},
		{"count too large", corrupt(func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b[8:], 1<<30)
			return b
		}), "out of range"},
		{"string out of range", corrupt(func(b []byte) []byte {
			// First translation's offset points past the end.
			tab := binary.LittleEndian.Uint32(b[16:])
			binary.LittleEndian.PutUint32(b[tab+4:], uint32(len(b)))
			return b
		}), "out of range"},
		{"truncated strings", good[:len(good)-8], "out of range"},
		{"charset", buildMO(binary.LittleEndian, [][2]string{
			{"", "Content-Type: text/plain; charset=KOI8-R\n"},
		}), "charset"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseMO(tc.data)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParseMO error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestBuildRowsFallback(t *testing.T) {
	mk := func(pairs ...string) *Catalog {
		var p [][2]string
		for i := 0; i < len(pairs); i += 2 {
			p = append(p, [2]string{pairs[i], pairs[i+1]})
		}
		cat, err := ParseMO(buildMO(binary.LittleEndian, p))
		if err != nil {
			t.Fatal(err)
		}
		return cat
	}
	catalogs := map[string]*Catalog{
		"ru": mk("Kazakhstan", "Казахстан", "Korea, Republic of", "Республика Корея", "South Korea", "Южная Корея", "Zeta", "Zeta"),
		"ky": mk("Kazakhstan", "Казакстан", "Korea, Republic of", "Корея Республикасы"),
		"kk": mk("Kazakhstan", "Қазақстан"),
	}
	rows, err := buildRows([]isoEntry{
		{Alpha2: "ZZ", Alpha3: "ZZZ", Numeric: "999", Name: "Zeta"},
		{Alpha2: "KZ", Alpha3: "KAZ", Numeric: "398", Name: "Kazakhstan"},
		{Alpha2: "KR", Alpha3: "KOR", Numeric: "410", Name: "Korea, Republic of", CommonName: "South Korea"},
	}, catalogs, map[string]map[string]string{"KZ": {"ky": "Казакстан!"}})
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ code, en, ru, ky, kk, fallback string }
	wants := []want{
		// common_name is preferred for English and as a catalog key, with
		// name as the second key.
		{"KR", "South Korea", "Южная Корея", "Корея Республикасы", "Южная Корея", "kk"},
		// Overrides win over the catalog.
		{"KZ", "Kazakhstan", "Казахстан", "Казакстан!", "Қазақстан", ""},
		// A Latin-only "translation" counts as missing.
		{"ZZ", "Zeta", "Zeta", "Zeta", "Zeta", "ru,ky,kk"},
	}
	if _, err := buildRows(nil, catalogs, map[string]map[string]string{"QQ": {"ru": "Кью"}}); err == nil {
		t.Error("override for an unknown code was accepted")
	}
	if len(rows) != len(wants) {
		t.Fatalf("got %d rows, want %d", len(rows), len(wants))
	}
	for i, w := range wants {
		r := rows[i]
		got := want{r.Code, r.NameEN, r.Names["ru"], r.Names["ky"], r.Names["kk"], r.Fallback}
		if got != w {
			t.Errorf("row %d = %+v, want %+v", i, got, w)
		}
	}

	sql, err := renderSQL(rows)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"-- +goose Up\n",
		"    ('KR', 'KOR', '410', 'South Korea', 'Южная Корея', 'Корея Республикасы', 'Южная Корея', 'kk'),\n",
		"    ('ZZ', 'ZZZ', '999', 'Zeta', 'Zeta', 'Zeta', 'Zeta', 'ru,ky,kk');\n",
		"-- +goose Down\nDROP TABLE countries;\n",
	} {
		if !strings.Contains(string(sql), s) {
			t.Errorf("rendered SQL lacks %q", s)
		}
	}
}

func TestSQLString(t *testing.T) {
	if got, err := sqlString("Côte d'Ivoire"); err != nil || got != "'Côte d''Ivoire'" {
		t.Errorf("sqlString = %q, %v", got, err)
	}
	for _, bad := range []string{`a\b`, "a;", "a\nb"} {
		if _, err := sqlString(bad); err == nil {
			t.Errorf("sqlString(%q) succeeded, want error", bad)
		}
	}
}
