package kzid

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The reference below is a second, deliberately plain reading of the rules
// (explicit weight tables, time.Parse for dates, regular expressions for
// the structure), written apart from the package code so that the two can
// be compared on many numbers.

var (
	refW1 = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	refW2 = []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}
)

// refPasses returns the weighted sums modulo 11 of both weight sequences.
func refPasses(first11 string) (int, int) {
	s1, s2 := 0, 0
	for i, c := range first11 {
		s1 += int(c-'0') * refW1[i]
		s2 += int(c-'0') * refW2[i]
	}
	return s1 % 11, s2 % 11
}

func refCheckDigit(first11 string) int {
	p1, p2 := refPasses(first11)
	switch {
	case p1 != 10:
		return p1
	case p2 != 10:
		return p2
	}
	return -1
}

var refDigits12 = regexp.MustCompile(`^[0-9]{12}$`)

func refClean(s string) string { return strings.Join(strings.Fields(s), "") }

func refIINValid(s string) bool {
	s = refClean(s)
	if !refDigits12.MatchString(s) {
		return false
	}
	century := map[byte]string{'1': "18", '2': "18", '3': "19", '4': "19", '5': "20", '6': "20"}[s[6]]
	if century == "" {
		return false
	}
	if _, err := time.Parse("20060102", century+s[:6]); err != nil {
		return false
	}
	return refCheckDigit(s[:11]) == int(s[11]-'0')
}

var refBINShape = regexp.MustCompile(`^[0-9]{2}(0[1-9]|1[0-2])[456][0-3][0-9]{6}$`)

func refBINValid(s string) bool {
	s = refClean(s)
	return refBINShape.MatchString(s) && refCheckDigit(s[:11]) == int(s[11]-'0')
}

// refIINFirst11 and refBINFirst11 lay out the first 11 digits.
func refIINFirst11(birth time.Time, male bool, serial int) string {
	c := map[bool]int{true: 1, false: 2}[male] + 2*(birth.Year()/100-18)
	return fmt.Sprintf("%s%d%04d", birth.Format("060102"), c, serial)
}

func refBINFirst11(reg time.Time, typ, attr, serial int) string {
	return fmt.Sprintf("%s%d%d%05d", reg.Format("0601"), typ, attr, serial)
}

// problem returns err as a *Problem, failing the test if it is another error.
func problem(t *testing.T, err error) *Problem {
	t.Helper()
	if err == nil {
		return nil
	}
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("error %v (%T) is not a *Problem", err, err)
	}
	return p
}

// keys are the translation ids the package may return; the catalogs must
// have each of them.
var keys = map[string]bool{
	"kzid.length": true, "kzid.digits": true, "kzid.date": true, "kzid.century": true,
	"kzid.check_digit": true, "kzid.month": true, "kzid.bin_type": true, "kzid.bin_attribute": true,
}

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		name       string
		first11    string
		want       int
		secondPass bool // the first pass gives 10
	}{
		{"first pass", "94014000038", 5, false},      // Halyk Bank's BIN 940140000385
		{"first pass zero", "90010130070", 0, false}, // 0 is a check digit like any other
		// The NCA test certificates' IIN 123456789011 starts with these 11
		// digits: 1·1+2·2+…+0·10+1·11 = 296 ≡ 10, then 3·1+4·2+…+1·2 = 377 ≡ 3.
		{"second pass, NCA test prefix", "12345678901", 3, true},
		{"second pass, published BIN", "96114100002", 3, true}, // 961141000023
		{"second pass, published IIN", "06121160001", 2, true}, // 061211600012
		// Born 2 April 1989, male, serial 1584: both passes give 10, so this
		// IIN is never issued (fzaninotto/Faker PR #1450 fixed a generator
		// that printed "10" as the 12th digit here).
		{"no check digit", "89040231584", -1, true},
		{"too short", "1234567890", -1, false},
		{"too long", "123456789012", -1, false},
		{"not digits", "1234567890A", -1, false},
		{"empty", "", -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckDigit(tt.first11); got != tt.want {
				t.Errorf("CheckDigit(%q) = %d, want %d", tt.first11, got, tt.want)
			}
			if len(tt.first11) == 11 && allDigits(tt.first11) {
				if p1, _ := refPasses(tt.first11); (p1 == 10) != tt.secondPass {
					t.Errorf("first pass of %q = %d: second pass used = %v, want %v", tt.first11, p1, p1 == 10, tt.secondPass)
				}
			}
		})
	}
}

// TestCheckDigitReference compares CheckDigit with the reference on random
// prefixes, and makes sure both the second pass and the "no digit" case
// occur among them.
func TestCheckDigitReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var second, none int
	var b [11]byte
	for range 300_000 {
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		s := string(b[:])
		got, want := CheckDigit(s), refCheckDigit(s)
		if got != want {
			t.Fatalf("CheckDigit(%q) = %d, reference %d", s, got, want)
		}
		if p1, _ := refPasses(s); p1 == 10 {
			second++
		}
		if got == -1 {
			none++
		}
	}
	if second == 0 || none == 0 {
		t.Errorf("sample too narrow: %d second passes, %d without a check digit", second, none)
	}
}

func TestProblemError(t *testing.T) {
	_, err := ParseIIN("850230300123")
	p := problem(t, err)
	want := &Problem{Key: "kzid.date", Args: map[string]any{"Date": "30.02.1985"}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
	// The message is the key alone: no digit of the number reaches a log.
	if got := err.Error(); got != "kzid.date" {
		t.Errorf("Error() = %q, want the key alone", got)
	}
}
