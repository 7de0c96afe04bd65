package kzid

import (
	"fmt"
	"time"
)

// BIN is a valid business identification number, parsed.
type BIN struct {
	Number     string    // the 12 digits, without spaces
	Registered time.Time // first of the month of (re-)registration, 00:00 UTC
	Type       int       // 4 resident legal entity, 5 non-resident legal entity, 6 joint individual entrepreneurship
	Attribute  int       // 0 head organisation, 1 branch, 2 representative office, 3 peasant or farm enterprise
}

// ParseBIN normalises (strips spaces) and validates; it returns the first
// problem found, in this order: not 12 digits ("kzid.digits", or
// "kzid.length" with Args Length), month not 01–12 ("kzid.month", Args
// Month), 5th digit not 4–6 ("kzid.bin_type", Args Digit), 6th digit not
// 0–3 ("kzid.bin_attribute", Args Digit), check digit mismatch
// ("kzid.check_digit"). The error is always a *Problem.
//
// An individual's IIN always fails here, with "kzid.bin_type" or earlier:
// its 5th digit is the tens of the day of birth, 0–3.
func ParseBIN(s string) (BIN, error) {
	s = normalize(s)
	if p := shape(s); p != nil {
		return BIN{}, p
	}
	m := twoDigits(s, 2)
	if m < 1 || m > 12 {
		return BIN{}, &Problem{Key: "kzid.month", Args: map[string]any{"Month": s[2:4]}}
	}
	typ, attr := int(s[4]-'0'), int(s[5]-'0')
	if typ < 4 || typ > 6 {
		return BIN{}, &Problem{Key: "kzid.bin_type", Args: map[string]any{"Digit": typ}}
	}
	if attr > 3 {
		return BIN{}, &Problem{Key: "kzid.bin_attribute", Args: map[string]any{"Digit": attr}}
	}
	if p := checkProblem(s); p != nil {
		return BIN{}, p
	}
	reg := time.Date(binYear(twoDigits(s, 0)), time.Month(m), 1, 0, 0, 0, 0, time.UTC)
	return BIN{Number: s, Registered: reg, Type: typ, Attribute: attr}, nil
}

// binYear expands a two-digit year the way time.Parse does for "06".
func binYear(yy int) int {
	if yy >= 69 {
		return 1900 + yy
	}
	return 2000 + yy
}

// NewBIN builds a valid BIN from the registration month, type, attribute
// and serial (for demo data). It returns "" when no check digit exists for
// that serial, or when an argument cannot be expressed: the year outside
// 1969–2068, typ outside 4–6, attribute outside 0–3, serial outside
// 0–99999.
func NewBIN(registered time.Time, typ, attribute, serial int) string {
	y, m, _ := registered.Date()
	if y < 1969 || y > 2068 || typ < 4 || typ > 6 ||
		attribute < 0 || attribute > 3 || serial < 0 || serial > 99999 {
		return ""
	}
	first := fmt.Sprintf("%02d%02d%d%d%05d", y%100, int(m), typ, attribute, serial)
	k := CheckDigit(first)
	if k < 0 {
		return ""
	}
	return first + fmt.Sprint(k)
}
