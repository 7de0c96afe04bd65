package kzid

import (
	"fmt"
	"time"
)

// IIN is a valid individual identification number, parsed.
type IIN struct {
	Number    string    // the 12 digits, without spaces
	BirthDate time.Time // at 00:00 UTC
	Male      bool
}

// ParseIIN normalises (strips spaces) and validates; it returns the first
// problem found, in this order: not 12 digits ("kzid.digits", or
// "kzid.length" with Args Length), no such date ("kzid.date", Args Date as
// DD.MM.YYYY, or DD.MM.YY when the century digit is wrong too), bad
// century/sex digit ("kzid.century", Args Digit), check digit mismatch
// ("kzid.check_digit"). The error is always a *Problem.
func ParseIIN(s string) (IIN, error) {
	s = normalize(s)
	if p := shape(s); p != nil {
		return IIN{}, p
	}
	c := int(s[6] - '0')
	century, centuryOK := iinCentury(c)
	birth, ok := date(century+twoDigits(s, 0), twoDigits(s, 2), twoDigits(s, 4))
	if !ok {
		year := s[0:2]
		if centuryOK {
			year = fmt.Sprint(century/100) + year
		}
		return IIN{}, &Problem{Key: "kzid.date", Args: map[string]any{"Date": s[4:6] + "." + s[2:4] + "." + year}}
	}
	if !centuryOK {
		return IIN{}, &Problem{Key: "kzid.century", Args: map[string]any{"Digit": c}}
	}
	if p := checkProblem(s); p != nil {
		return IIN{}, p
	}
	return IIN{Number: s, BirthDate: birth, Male: c%2 == 1}, nil
}

// iinCentury decodes the 7th digit: 1–2 → 1800, 3–4 → 1900, 5–6 → 2000.
// For any other digit it returns 2000 and false, so that the date can
// still be checked: 29 February then passes in every year divisible by
// four, as it would in one of the centuries.
func iinCentury(c int) (int, bool) {
	if c < 1 || c > 6 {
		return 2000, false
	}
	return 1800 + (c-1)/2*100, true
}

// date is the calendar date y-m-d at 00:00 UTC, and whether it exists.
func date(y, m, d int) (time.Time, bool) {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Month() != time.Month(m) || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// NewIIN builds a valid IIN from birth date, sex and serial (for demo
// data): returns "" when no check digit exists for that serial. It also
// returns "" when the serial is outside 0–9999 or the year outside
// 1800–2099, which an IIN cannot express. The date is taken as birth's
// year, month and day in its own location.
func NewIIN(birth time.Time, male bool, serial int) string {
	y, m, d := birth.Date()
	if y < 1800 || y > 2099 || serial < 0 || serial > 9999 {
		return ""
	}
	c := (y/100-18)*2 + 1
	if !male {
		c++
	}
	first := fmt.Sprintf("%02d%02d%02d%d%04d", y%100, int(m), d, c, serial)
	k := CheckDigit(first)
	if k < 0 {
		return ""
	}
	return first + fmt.Sprint(k)
}
