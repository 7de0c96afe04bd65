package kzid

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestParseIIN(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want IIN
	}{
		// Examples published in the documentation of IIN libraries:
		// py-kz-validators' README and kz-iin-validator's README.
		{"published, 1900s male", "791028302728", IIN{"791028302728", day(1979, 10, 28), true}},
		{"published, 2000s female, second pass", "061211600012", IIN{"061211600012", day(2006, 12, 11), false}},
		// The 1800s digits, from valery1707/kaz-person-id's century test.
		{"1800s male", "800416100254", IIN{"800416100254", day(1880, 4, 16), true}},
		{"1800s female", "680503250034", IIN{"680503250034", day(1868, 5, 3), false}},
		{"29 February 2000", "000229600004", IIN{"000229600004", day(2000, 2, 29), false}},
		{"check digit 0", "900101300700", IIN{"900101300700", day(1990, 1, 1), true}},
		{"grouped with spaces", " 061 211 600 012 ", IIN{"061211600012", day(2006, 12, 11), false}},
		{"tab and no-break space", "061211\t600\u00a0012", IIN{"061211600012", day(2006, 12, 11), false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIIN(tt.in)
			if err != nil {
				t.Fatalf("ParseIIN(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if !refIINValid(tt.in) {
				t.Errorf("the reference rejects %q", tt.in)
			}
		})
	}
}

func TestParseIINProblems(t *testing.T) {
	date := func(d string) *Problem { return &Problem{Key: "kzid.date", Args: map[string]any{"Date": d}} }
	century := func(c int) *Problem { return &Problem{Key: "kzid.century", Args: map[string]any{"Digit": c}} }
	length := func(n int) *Problem { return &Problem{Key: "kzid.length", Args: map[string]any{"Length": n}} }
	check := &Problem{Key: "kzid.check_digit"}
	digits := &Problem{Key: "kzid.digits"}
	tests := []struct {
		name string
		in   string
		want *Problem
	}{
		{"empty", "", length(0)},
		{"only spaces", "   ", length(0)},
		{"too short", "06121160001", length(11)},
		{"too long", "0612116000120", length(13)},
		{"letter", "06121160001O", digits},
		{"dash", "061211-600012", digits},
		{"dash and too short", "0612-1160", digits},
		{"Arabic-Indic digits", "٠٦١٢١١٦٠٠٠١٢", digits},
		{"full-width digits", "０６１２１１６０００１２", digits},
		{"30 February", "850230300123", date("30.02.1985")},
		{"31 April", "850431400123", date("31.04.1985")},
		{"29 February 1900", "000229300005", date("29.02.1900")},
		{"29 February 1800", "000229100001", date("29.02.1800")},
		{"29 February 2001", "010229500001", date("29.02.2001")},
		{"month 00", "850001300123", date("01.00.1985")},
		{"month 13", "851301300123", date("01.13.1985")},
		{"day 00", "850100300123", date("00.01.1985")},
		{"day 32", "850132300123", date("32.01.1985")},
		{"bad date and bad century", "850230000123", date("30.02.85")},
		// 29 February passes while the century is unknown if the year
		// could be a leap year; the century is then the problem.
		{"29 February 00, century 0", "000229000001", century(0)},
		{"century 0", "900101000000", century(0)},
		{"century 7", "900101700000", century(7)},
		{"century 9", "900101900000", century(9)},
		{"check digit off by one", "061211600013", check},
		{"two digits swapped", "061211600021", check},
		{"sex digit changed", "061211500012", check},
		// 1989-04-02, male, serial 1584: no check digit exists, so every
		// last digit is wrong (see TestCheckDigit).
		{"never issued 0", "890402315840", check},
		{"never issued 9", "890402315849", check},
		// The NCA's test certificates (subject "ТЕСТОВ ТЕСТ") carry IIN
		// 123456789011: month 34 is no date, the 7th digit 7 no century,
		// and its check digit would be 3 (second pass), not 1. It is a
		// placeholder, not a valid IIN.
		{"NCA test certificate", "123456789011", date("56.34.12")},
		{"NCA test certificate variant", "IIN123456789011", digits},
		// A BIN in the IIN field: day 40, 7th digit 0.
		{"a BIN", "940140000385", date("40.01.94")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIIN(tt.in)
			if diff := cmp.Diff(tt.want, problem(t, err)); diff != "" {
				t.Errorf("ParseIIN(%q) problem mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(IIN{}, got); diff != "" {
				t.Errorf("ParseIIN(%q) returned a value with its error (-want +got):\n%s", tt.in, diff)
			}
			if refIINValid(tt.in) {
				t.Errorf("the reference accepts %q", tt.in)
			}
		})
	}
}

// TestParseIINReference compares ParseIIN with the reference on random
// numbers shaped like IINs: real and impossible dates, every 7th digit,
// every last digit.
func TestParseIINReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var valid int
	for range 200_000 {
		s := fmt.Sprintf("%02d%02d%02d%d%04d%d", r.IntN(100), r.IntN(14), r.IntN(33), r.IntN(10), r.IntN(10000), r.IntN(10))
		_, err := ParseIIN(s)
		if got, want := err == nil, refIINValid(s); got != want {
			t.Fatalf("ParseIIN(%q): valid = %v (%v), reference %v", s, got, err, want)
		}
		if err == nil {
			valid++
		}
	}
	if valid == 0 {
		t.Error("no valid number in the sample")
	}
}

func TestNewIIN(t *testing.T) {
	tests := []struct {
		name   string
		birth  time.Time
		male   bool
		serial int
		want   string
	}{
		{"published, second pass", day(2006, 12, 11), false, 1, "061211600012"},
		{"1880 male", day(1880, 4, 16), true, 25, "800416100254"},
		{"1900 female", day(1900, 1, 1), false, 0, "000101400005"},
		{"1999 male", day(1999, 12, 31), true, 9999, "991231399994"},
		{"2000 is 5/6", day(2000, 2, 29), false, 0, "000229600004"},
		{"2099", day(2099, 12, 31), true, 1, "991231500016"},
		{"time of day and zone ignored", time.Date(1990, 1, 1, 23, 59, 0, 0, time.FixedZone("ALMT", 5*3600)), true, 70, "900101300700"},
		{"no check digit", day(1989, 4, 2), true, 1584, ""},
		{"serial too big", day(1990, 1, 1), true, 10000, ""},
		{"serial negative", day(1990, 1, 1), true, -1, ""},
		{"before 1800", day(1799, 12, 31), true, 1, ""},
		{"after 2099", day(2100, 1, 1), true, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewIIN(tt.birth, tt.male, tt.serial)
			if got != tt.want {
				t.Fatalf("NewIIN = %q, want %q", got, tt.want)
			}
			if got == "" {
				return
			}
			iin, err := ParseIIN(got)
			if err != nil {
				t.Fatalf("ParseIIN(NewIIN) = %v", err)
			}
			y, m, d := tt.birth.Date()
			if diff := cmp.Diff(IIN{got, day(y, int(m), d), tt.male}, iin); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewIINReference builds IINs with the reference (time.Format and the
// reference check digit) and compares them with NewIIN.
func TestNewIINReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	start := day(1800, 1, 1)
	var empty int
	for range 100_000 {
		birth := start.AddDate(0, 0, r.IntN(109_573)) // up to 2099-12-31
		male := r.IntN(2) == 0
		serial := r.IntN(10_000)
		first := refIINFirst11(birth, male, serial)
		want := ""
		if k := refCheckDigit(first); k >= 0 {
			want = fmt.Sprint(first, k)
		} else {
			empty++
		}
		if got := NewIIN(birth, male, serial); got != want {
			t.Fatalf("NewIIN(%s, %v, %d) = %q, reference %q", birth.Format(time.DateOnly), male, serial, got, want)
		}
	}
	if empty == 0 {
		t.Error("no serial without a check digit in the sample")
	}
}
