package casework

import (
	"context"
	"database/sql"
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
	holidays, err := holidaysOf(ctx, d, jurisdiction)
	if err != nil {
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

// holidayCache keeps each database's holidays for holidayTTL: they change a
// few times a year, by decree weeks ahead (and are added with SQL or a
// migration), and reading them was a round trip in every submission.
var holidayCache struct {
	sync.Mutex
	m map[holidayKey]holidaySet
}

type holidayKey struct {
	pool         *sql.DB // the database's
	jurisdiction string
}

type holidaySet struct {
	days map[string]bool // "2026-05-01"
	at   time.Time
}

// holidayTTL is how long a database's holidays are reused (the real
// clock: a cache's age).
const holidayTTL = 10 * time.Minute

// holidaysOf returns the jurisdiction's holidays, read again when older
// than holidayTTL.
func holidaysOf(ctx context.Context, d *db.DB, jurisdiction string) (map[string]bool, error) {
	key := holidayKey{d.Writer(), jurisdiction}
	holidayCache.Lock()
	h, ok := holidayCache.m[key]
	holidayCache.Unlock()
	if ok && time.Since(h.at) < holidayTTL {
		return h.days, nil
	}
	days := map[string]bool{}
	rows, err := d.Query(ctx, `SELECT day FROM holidays WHERE jurisdiction = $1`, jurisdiction)
	if err != nil {
		return nil, fmt.Errorf("casework.DueDate: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var day string
		if err := rows.Scan(&day); err != nil {
			return nil, err
		}
		days[day] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	holidayCache.Lock()
	if holidayCache.m == nil || len(holidayCache.m) > 100 { // tests open many databases
		holidayCache.m = map[holidayKey]holidaySet{}
	}
	holidayCache.m[key] = holidaySet{days: days, at: time.Now()}
	holidayCache.Unlock()
	return days, nil
}
