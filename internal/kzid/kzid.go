// Package kzid validates Kazakhstan's identification numbers: the IIN
// (ИИН, ЖСН) every person registered in Kazakhstan has, and the BIN (БИН,
// БСН) of a legal entity, its branch or representative office, or a joint
// individual entrepreneurship. Each problem has its own translation key,
// so a form can say which part of the number is wrong.
//
// Both are 12 digits; the 12th is a check digit computed the same way for
// both (see CheckDigit).
//
// IIN: YYMMDD date of birth, one digit for the century of birth and sex
// (1/2 a man/woman born 1800–1899, 3/4 born 1900–1999, 5/6 born 2000–2099),
// a 4-digit serial, the check digit.
//
// BIN: YYMM year and month of (re-)registration; the type (4 resident legal
// entity, 5 non-resident legal entity, 6 joint individual
// entrepreneurship); an attribute (0 head organisation, 1 branch,
// 2 representative office, 3 peasant or farm enterprise run as a joint
// entrepreneurship); a 5-digit serial; the check digit.
//
// Sources. The structure is set by the Programme for the transition to a
// single number, Government Decree No. 565 of 11 June 2003
// (https://adilet.zan.kz/rus/docs/P030000565_), and the check digit by the
// Rules for forming the identification number, Government Decree No. 406
// of 22 May 2007, point 9 (https://adilet.zan.kz/rus/docs/P070000406_#z9):
// "a12 = (a1*b1 + … + a11*b11) mod 11 … if the result is 10, the check
// digit is computed with another sequence of weights … if it is 10 again,
// the IIN is not used". The decrees are quoted as reproduced by the
// implementations that cite them and agree with each other:
// github.com/valery1707/kaz-person-id (PersonIdUtils.java, which links
// point 9), github.com/ZhymabekRoman/kz-iin-validator (Decree 565), and
// python-stdnum stdnum/kz/bin.py with its issue #114, which quote
// egov.kz's "Business identification number" page and the OECD's
// Kazakhstan TIN sheet for the BIN's parts. The BINs in the tests are
// published numbers these projects test with.
//
// Decisions where the sources leave room:
//   - 7th digit 0 (or 7–9): rejected ("kzid.century"). Neither the
//     decrees as quoted nor any implementation found assigns 0. Foreigners
//     and stateless persons get an IIN of the same structure when first
//     issued a residence permit, registration certificate or stateless
//     person's certificate (Law No. 223 of 12 January 2007, art. 9;
//     gov.kz "Individual identification number"). A 0 there usually means
//     a BIN was entered: a BIN's 7th digit begins its serial.
//   - Year 2000: the texts say "XX century" for 3/4 and "XXI century" for
//     5/6; read strictly, 2000 belongs to the XX century. The libraries
//     above (and FakerPHP's kk_KZ generator) map by hundreds, 3/4 → 19YY
//     and 5/6 → 20YY, and so do we: "00" with 3/4 is 1900, with 5/6 is
//     2000. Only some ad-hoc generators use 1901–2000.
//   - BIN year: two digits, read like time.Parse reads "06": 69–99 are
//     1969–1999, 00–68 are 2000–2068. Registrations go back to the 1990s.
//   - A first 11 digits for which no check digit exists (both passes give
//     10) were never issued: such a number fails "kzid.check_digit".
//   - The birth date is not compared with today: callers that need an age
//     check it themselves against the jurisdiction's calendar date.
//
// Never log an IIN: it contains the date of birth and sex. Problem.Error
// returns only the key for that reason.
package kzid

import (
	"strings"
	"unicode"
)

// Problem is why a number is not valid; Key is a translation id.
type Problem struct {
	Key  string
	Args map[string]any // template data for the message
}

// Error returns the key alone: the arguments may hold parts of a personal
// number, which must not reach the logs.
func (p *Problem) Error() string { return p.Key }

// Weights of the check digit (Decree No. 406, point 9): the second
// sequence is used when the first gives 10.
var (
	weights1 = [11]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	weights2 = [11]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2}
)

// CheckDigit computes the 12th digit of the first 11, or -1 when none
// exists: the weighted sum with weights 1..11 modulo 11; if that is 10, the
// weighted sum with weights 3..11, 1, 2 modulo 11; if that is 10 again, no
// number with these 11 digits is ever issued. It also returns -1 when
// first11 is not exactly 11 ASCII digits.
func CheckDigit(first11 string) int {
	if len(first11) != 11 || !allDigits(first11) {
		return -1
	}
	for _, w := range [...]*[11]int{&weights1, &weights2} {
		sum := 0
		for i := range 11 {
			sum += int(first11[i]-'0') * w[i]
		}
		if r := sum % 11; r != 10 {
			return r
		}
	}
	return -1
}

// normalize removes all white space: people copy numbers grouped as
// "900 101 300 123" or with a non-breaking space.
func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// shape checks what IINs and BINs share: digits only, exactly 12 of them.
// Stray characters are reported first, since a dash or a letter also makes
// the length wrong and removing it is the fix.
func shape(s string) *Problem {
	if !allDigits(s) {
		return &Problem{Key: "kzid.digits"}
	}
	if len(s) != 12 {
		return &Problem{Key: "kzid.length", Args: map[string]any{"Length": len(s)}}
	}
	return nil
}

// checkProblem compares the 12th digit with the one computed from the
// first 11.
func checkProblem(s string) *Problem {
	if CheckDigit(s[:11]) != int(s[11]-'0') {
		return &Problem{Key: "kzid.check_digit"}
	}
	return nil
}

func allDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// twoDigits is the value of s[i:i+2], which must be digits.
func twoDigits(s string, i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
