package permit

import "testing"

// TestPeriods: both end days count, and a month without the start's day
// ends on its last day.
func TestPeriods(t *testing.T) {
	for _, c := range []struct {
		from, to      string
		min, max      int
		lasts, within bool
	}{
		{"2027-01-01", "2027-03-31", 3, 12, true, true},  // exactly three months
		{"2027-01-01", "2027-03-30", 3, 12, false, true}, // a day short
		{"2027-08-31", "2027-11-30", 3, 12, true, true},  // 31 August + 3 months: 30 November is the last day
		{"2027-01-01", "2027-12-31", 3, 12, true, true},  // exactly a year
		{"2027-01-01", "2028-01-01", 3, 12, true, false}, // a year and a day
		{"2028-02-29", "2029-02-27", 3, 12, true, true},  // leap day + 12 months: 28 February
		{"2028-02-29", "2029-02-28", 3, 12, true, false},
	} {
		if got := lasts(c.from, c.to, c.min); got != c.lasts {
			t.Errorf("lasts(%s, %s, %d) = %v", c.from, c.to, c.min, got)
		}
		if got := within(c.from, c.to, c.max); got != c.within {
			t.Errorf("within(%s, %s, %d) = %v", c.from, c.to, c.max, got)
		}
	}
	if got := addMonths("2027-01-31", 1); got != "2027-02-28" {
		t.Errorf("31 January + 1 month = %s", got)
	}
}
