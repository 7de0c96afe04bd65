package kzid

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The seed corpora are in testdata/fuzz/FuzzParseIIN and
// testdata/fuzz/FuzzParseBIN, so a plain go test runs them; fuzz with
//
//	go test -run='^$' -fuzz=FuzzParseIIN -fuzztime=30s ./internal/kzid/

// FuzzParseIIN checks that ParseIIN never panics, agrees with the
// reference, returns only known keys, that an accepted number re-validates
// and is what NewIIN builds from its parts, and that whatever NewIIN builds
// parses back to the same date and sex.
func FuzzParseIIN(f *testing.F) {
	start := day(1800, 1, 1)
	span := uint32(day(2100, 1, 1).Sub(start) / (24 * time.Hour))
	f.Fuzz(func(t *testing.T, s string, days uint32, male bool, serial uint16) {
		got, err := ParseIIN(s)
		if p := problem(t, err); p != nil && !keys[p.Key] {
			t.Fatalf("ParseIIN(%q): unknown key %q", s, p.Key)
		}
		if ok := err == nil; ok != refIINValid(s) {
			t.Fatalf("ParseIIN(%q): valid = %v (%v), reference %v", s, ok, err, !ok)
		}
		if err == nil {
			again, err := ParseIIN(got.Number)
			if err != nil || !cmp.Equal(again, got) {
				t.Fatalf("ParseIIN(%q) = %+v, but its Number gives %+v, %v", s, got, again, err)
			}
			n := int(got.Number[7]-'0')*1000 + int(got.Number[8]-'0')*100 + int(got.Number[9]-'0')*10 + int(got.Number[10]-'0')
			if built := NewIIN(got.BirthDate, got.Male, n); built != got.Number {
				t.Fatalf("ParseIIN(%q) = %+v, but NewIIN from its parts = %q", s, got, built)
			}
		}

		birth := start.AddDate(0, 0, int(days%span))
		built := NewIIN(birth, male, int(serial))
		if built == "" {
			if serial > 9999 {
				return
			}
			if k := refCheckDigit(refIINFirst11(birth, male, int(serial))); k != -1 {
				t.Fatalf("NewIIN(%s, %v, %d) = \"\", but check digit %d exists", birth.Format(time.DateOnly), male, serial, k)
			}
			return
		}
		iin, err := ParseIIN(built)
		if err != nil {
			t.Fatalf("NewIIN(%s, %v, %d) = %q, which does not parse: %v", birth.Format(time.DateOnly), male, serial, built, err)
		}
		if !cmp.Equal(iin, IIN{built, birth, male}) {
			t.Fatalf("NewIIN(%s, %v, %d) = %q, which parses as %s, male %v", birth.Format(time.DateOnly), male, serial, built, iin.BirthDate.Format(time.DateOnly), iin.Male)
		}
	})
}

// FuzzParseBIN is FuzzParseIIN for BINs.
func FuzzParseBIN(f *testing.F) {
	start := day(1969, 1, 1)
	f.Fuzz(func(t *testing.T, s string, months uint16, typ, attr uint8, serial uint32) {
		got, err := ParseBIN(s)
		if p := problem(t, err); p != nil && !keys[p.Key] {
			t.Fatalf("ParseBIN(%q): unknown key %q", s, p.Key)
		}
		if ok := err == nil; ok != refBINValid(s) {
			t.Fatalf("ParseBIN(%q): valid = %v (%v), reference %v", s, ok, err, !ok)
		}
		if err == nil {
			again, err := ParseBIN(got.Number)
			if err != nil || !cmp.Equal(again, got) {
				t.Fatalf("ParseBIN(%q) = %+v, but its Number gives %+v, %v", s, got, again, err)
			}
			n := 0
			for _, c := range got.Number[6:11] {
				n = n*10 + int(c-'0')
			}
			if built := NewBIN(got.Registered, got.Type, got.Attribute, n); built != got.Number {
				t.Fatalf("ParseBIN(%q) = %+v, but NewBIN from its parts = %q", s, got, built)
			}
		}

		reg := start.AddDate(0, int(months%1200), 0) // 1969-01 … 2068-12
		ty, at, se := 4+int(typ%3), int(attr%4), int(serial%100_000)
		built := NewBIN(reg, ty, at, se)
		if built == "" {
			if k := refCheckDigit(refBINFirst11(reg, ty, at, se)); k != -1 {
				t.Fatalf("NewBIN(%s, %d, %d, %d) = \"\", but check digit %d exists", reg.Format("2006-01"), ty, at, se, k)
			}
			return
		}
		bin, err := ParseBIN(built)
		if err != nil {
			t.Fatalf("NewBIN(%s, %d, %d, %d) = %q, which does not parse: %v", reg.Format("2006-01"), ty, at, se, built, err)
		}
		if !cmp.Equal(bin, BIN{built, reg, ty, at}) {
			t.Fatalf("NewBIN(%s, %d, %d, %d) = %q, which parses as %+v", reg.Format("2006-01"), ty, at, se, built, bin)
		}
	})
}
