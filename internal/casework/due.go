package casework

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/emgek/emgek/internal/db"
)

// zones are the jurisdictions' time zones: a working day is a day there.
var zones = map[string]string{"KG": "Asia/Bishkek", "KZ": "Asia/Almaty"}

var (
	locMu sync.Mutex
	locs  = map[string]*time.Location{}
)

// Zone is a jurisdiction's time zone (UTC for an unknown one), loaded
// once: time.LoadLocation reads a file on every call.
func Zone(jurisdiction string) *time.Location {
	locMu.Lock()
	defer locMu.Unlock()
	if l, ok := locs[jurisdiction]; ok {
		return l
	}
	l, err := time.LoadLocation(zones[jurisdiction])
	if err != nil || zones[jurisdiction] == "" {
		l = time.UTC
	}
	locs[jurisdiction] = l
	return l
}

// DueDate is the end of the n-th working day after from, in the
// jurisdiction's time zone: Saturdays, Sundays and its public holidays do
// not count. A submission on a day off starts counting on the next
// working day, like one after hours.
func DueDate(ctx context.Context, d *db.DB, jurisdiction string, from time.Time, n int) (time.Time, error) {
	loc := Zone(jurisdiction)
	start := from.In(loc)
	holidays := map[string]bool{}
	// Holidays in the stretch the count can reach (n working days are at
	// most n/5 weeks, plus a margin for holidays).
	rows, err := d.Query(ctx, `SELECT day FROM holidays WHERE jurisdiction = $1 AND day > $2 AND day <= $3`, jurisdiction,
		start.Format(time.DateOnly), start.AddDate(0, 0, 2*n+30).Format(time.DateOnly))
	if err != nil {
		return time.Time{}, fmt.Errorf("casework.DueDate: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var day string
		if err := rows.Scan(&day); err != nil {
			return time.Time{}, err
		}
		holidays[day] = true
	}
	if err := rows.Err(); err != nil {
		return time.Time{}, err
	}
	day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
	for counted := 0; counted < n; {
		day = day.AddDate(0, 0, 1)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday || holidays[day.Format(time.DateOnly)] {
			continue
		}
		counted++
	}
	// The end of that day there, in UTC.
	return day.AddDate(0, 0, 1).Add(-time.Second).UTC(), nil
}
