package kzid

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseBIN(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want BIN
	}{
		// Published BINs of Halyk Bank and its branches (halykbank.kz
		// requisites, as used by valery1707/kaz-person-id's tests) and
		// python-stdnum's doctest.
		{"head office", "940140000385", BIN{"940140000385", day(1994, 1, 1), 4, 0}},
		{"branch", "950341000052", BIN{"950341000052", day(1995, 3, 1), 4, 1}},
		{"branch, second pass", "961141000023", BIN{"961141000023", day(1996, 11, 1), 4, 1}},
		{"registered in 2007", "070941024691", BIN{"070941024691", day(2007, 9, 1), 4, 1}},
		{"grouped with spaces", "990 140 004 654", BIN{"990140004654", day(1999, 1, 1), 4, 0}},
		{"non-resident representative office", "240352000014", BIN{"240352000014", day(2024, 3, 1), 5, 2}},
		{"joint entrepreneurship, farm, second pass", "690163000017", BIN{"690163000017", day(1969, 1, 1), 6, 3}},
		{"2068", "681240999997", BIN{"681240999997", day(2068, 12, 1), 4, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBIN(tt.in)
			if err != nil {
				t.Fatalf("ParseBIN(%q): %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if !refBINValid(tt.in) {
				t.Errorf("the reference rejects %q", tt.in)
			}
		})
	}
}

func TestParseBINProblems(t *testing.T) {
	month := func(m string) *Problem { return &Problem{Key: "kzid.month", Args: map[string]any{"Month": m}} }
	typ := func(d int) *Problem { return &Problem{Key: "kzid.bin_type", Args: map[string]any{"Digit": d}} }
	attr := func(d int) *Problem { return &Problem{Key: "kzid.bin_attribute", Args: map[string]any{"Digit": d}} }
	length := func(n int) *Problem { return &Problem{Key: "kzid.length", Args: map[string]any{"Length": n}} }
	check := &Problem{Key: "kzid.check_digit"}
	tests := []struct {
		name string
		in   string
		want *Problem
	}{
		{"empty", "", length(0)},
		{"too short", "94014000038", length(11)},
		{"too long", "9401400003850", length(13)},
		{"letters", "BIN940140000385", &Problem{Key: "kzid.digits"}},
		{"month 00", "940040000385", month("00")},
		{"month 13", "941340000385", month("13")},
		{"month 99", "949940000385", month("99")}, // python-stdnum's invalid example
		{"type 9", "940190000385", typ(9)},        // python-stdnum's invalid example
		{"type 3", "940130000385", typ(3)},
		{"type 7", "940170000385", typ(7)},
		{"attribute 9", "940149000385", attr(9)}, // python-stdnum's invalid example
		{"attribute 4", "940144000385", attr(4)},
		{"check digit", "940140000386", check},
		{"two digits swapped", "940140003085", check},
		// The NCA's test certificates carry BIN 123456789021: month 34,
		// and neither the attribute 6 nor the check digit (5, second
		// pass) would pass either. A placeholder, not a valid BIN.
		{"NCA test certificate", "123456789021", month("34")},
		// A person's IIN in the BIN field: its 5th digit is the tens of the
		// day of birth.
		{"an IIN", "061211600012", typ(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBIN(tt.in)
			if diff := cmp.Diff(tt.want, problem(t, err)); diff != "" {
				t.Errorf("ParseBIN(%q) problem mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(BIN{}, got); diff != "" {
				t.Errorf("ParseBIN(%q) returned a value with its error (-want +got):\n%s", tt.in, diff)
			}
			if refBINValid(tt.in) {
				t.Errorf("the reference accepts %q", tt.in)
			}
		})
	}
}

// A BIN with no check digit fails like a typo.
func TestParseBINNeverIssued(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for {
		first := fmt.Sprintf("%02d%02d%d%d%05d", r.IntN(100), 1+r.IntN(12), 4+r.IntN(3), r.IntN(4), r.IntN(100_000))
		if CheckDigit(first) != -1 {
			continue
		}
		for k := range 10 {
			_, err := ParseBIN(fmt.Sprint(first, k))
			if diff := cmp.Diff(&Problem{Key: "kzid.check_digit"}, problem(t, err)); diff != "" {
				t.Errorf("ParseBIN(%s%d) mismatch (-want +got):\n%s", first, k, diff)
			}
		}
		return
	}
}

func TestParseBINReference(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var valid int
	for range 200_000 {
		s := fmt.Sprintf("%02d%02d%d%d%05d%d", r.IntN(100), r.IntN(15), r.IntN(10), r.IntN(10), r.IntN(100_000), r.IntN(10))
		_, err := ParseBIN(s)
		if got, want := err == nil, refBINValid(s); got != want {
			t.Fatalf("ParseBIN(%q): valid = %v (%v), reference %v", s, got, err, want)
		}
		if err == nil {
			valid++
		}
	}
	if valid == 0 {
		t.Error("no valid number in the sample")
	}
}

func TestNewBIN(t *testing.T) {
	tests := []struct {
		name              string
		registered        time.Time
		typ, attr, serial int
		want              string
	}{
		{"Halyk Bank", day(1994, 1, 1), 4, 0, 38, "940140000385"},
		{"second pass", day(1996, 11, 30), 4, 1, 2, "961141000023"},
		{"1969", day(1969, 1, 1), 6, 3, 1, "690163000017"},
		{"2068", day(2068, 12, 1), 4, 0, 99999, "681240999997"},
		{"time of day and zone ignored", time.Date(2024, 3, 15, 12, 0, 0, 0, time.FixedZone("ALMT", 5*3600)), 5, 2, 1, "240352000014"},
		{"1968", day(1968, 12, 1), 4, 0, 1, ""},
		{"2069", day(2069, 1, 1), 4, 0, 1, ""},
		{"type 3", day(2024, 1, 1), 3, 0, 1, ""},
		{"type 7", day(2024, 1, 1), 7, 0, 1, ""},
		{"attribute -1", day(2024, 1, 1), 4, -1, 1, ""},
		{"attribute 4", day(2024, 1, 1), 4, 4, 1, ""},
		{"serial -1", day(2024, 1, 1), 4, 0, -1, ""},
		{"serial 100000", day(2024, 1, 1), 4, 0, 100_000, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NewBIN(tt.registered, tt.typ, tt.attr, tt.serial)
			if got != tt.want {
				t.Fatalf("NewBIN = %q, want %q", got, tt.want)
			}
			if got == "" {
				return
			}
			bin, err := ParseBIN(got)
			if err != nil {
				t.Fatalf("ParseBIN(NewBIN) = %v", err)
			}
			y, m, _ := tt.registered.Date()
			if diff := cmp.Diff(BIN{got, day(y, int(m), 1), tt.typ, tt.attr}, bin); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
