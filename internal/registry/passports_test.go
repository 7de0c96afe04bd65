package registry

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalizeNumber(t *testing.T) {
	tests := []struct {
		in, want string
		valid    bool
	}{
		{"aa 123-4567", "AA1234567", true},
		{" AA1234567 ", "AA1234567", true},
		{"n1234/5678.", "N12345678", true},
		{"12345", "12345", true},
		{"1234", "1234", false}, // too short
		{"A1234567890123456789", "A1234567890123456789", true},
		{"A12345678901234567890", "A12345678901234567890", false}, // 21
		{"АА1234567", "АА1234567", false},                         // Cyrillic А
		{"aa\u00a0123\t4567", "AA1234567", true},                  // no-break space, tab
		{"ß12345", "ß12345", false},
		{"", "", false},
		{"--", "", false},
	}
	for _, tt := range tests {
		if got := NormalizeNumber(tt.in); got != tt.want {
			t.Errorf("NormalizeNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := ValidNumber(tt.in); got != tt.valid {
			t.Errorf("ValidNumber(%q) = %v, want %v", tt.in, got, tt.valid)
		}
	}
}

func FuzzNormalizeNumber(f *testing.F) {
	for _, s := range []string{"aa 123-4567", "АА1234567", "ß", "\xff\xfe", "ǅ12345", "ͅ", "", "A1234567890123456789"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeNumber(s)
		if again := NormalizeNumber(n); again != n {
			t.Fatalf("NormalizeNumber(%q) = %q, but NormalizeNumber(%q) = %q", s, n, n, again)
		}
		if ValidNumber(s) != ValidNumber(n) {
			t.Fatalf("ValidNumber(%q) != ValidNumber(%q)", s, n)
		}
		if !ValidNumber(s) {
			return
		}
		if len(n) < 5 || len(n) > 20 {
			t.Fatalf("valid %q normalizes to %q, %d characters", s, n, len(n))
		}
		for _, r := range n {
			if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
				t.Fatalf("valid %q normalizes to %q, which holds %q", s, n, r)
			}
		}
	})
}

func TestBannedOn(t *testing.T) {
	f := &Foreigner{Bans: []Ban{
		{From: "2020-01-01", Until: "2021-12-31", Basis: "past"},
		{From: "2026-03-01", Basis: "indefinite"},
	}}
	tests := []struct{ day, want string }{
		{"2019-12-31", ""},
		{"2020-01-01", "past"},
		{"2021-12-31", "past"}, // Until is included
		{"2022-01-01", ""},
		{"2026-02-28", ""},
		{"2026-03-01", "indefinite"},
		{"2099-01-01", "indefinite"},
	}
	for _, tt := range tests {
		got := ""
		if b := f.BannedOn(tt.day); b != nil {
			got = b.Basis
		}
		if got != tt.want {
			t.Errorf("BannedOn(%s) = %q, want %q", tt.day, got, tt.want)
		}
	}
	if (*Foreigner)(nil).BannedOn("2026-01-01") != nil {
		t.Error("nil Foreigner has a ban")
	}
}

func TestPermitOn(t *testing.T) {
	f := &Foreigner{Permits: []Permit{
		{Number: "old", ValidFrom: "2024-01-01", ValidUntil: "2024-12-31"},
		{Number: "revoked", ValidFrom: "2025-01-01", ValidUntil: "2025-12-31", RevokedOn: "2025-06-15", RevokeReason: "r"},
		{Number: "short", ValidFrom: "2026-01-01", ValidUntil: "2026-03-31"},
		{Number: "long", ValidFrom: "2026-02-01", ValidUntil: "2026-12-31"},
	}}
	tests := []struct{ day, want string }{
		{"2023-12-31", ""},
		{"2024-01-01", "old"},
		{"2024-12-31", "old"},
		{"2025-06-14", "revoked"}, // still valid the day before its revocation
		{"2025-06-15", ""},
		{"2025-09-01", ""},
		{"2026-01-15", "short"},
		{"2026-02-15", "long"}, // both valid: the one valid longest
		{"2027-01-01", ""},
	}
	for _, tt := range tests {
		got := ""
		if p := f.PermitOn(tt.day); p != nil {
			got = p.Number
		}
		if got != tt.want {
			t.Errorf("PermitOn(%s) = %q, want %q", tt.day, got, tt.want)
		}
	}
	if diff := cmp.Diff([]Permit{f.Permits[1]}, f.Revocations()); diff != "" {
		t.Errorf("Revocations mismatch (-want +got):\n%s", diff)
	}
	if got := (&Foreigner{}).Revocations(); got != nil {
		t.Errorf("Revocations of no permits = %v", got)
	}
}
