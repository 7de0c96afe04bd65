package casework

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emgek/emgek/internal/db"
)

// The back office works on one inbox across services (ARCHITECTURE.md):
// every case waiting for the ministry, with the same filters whatever the
// service, and the other tasks — cabinets to activate, changes to review
// — counted beside it. Pages are read by keyset (after the last row
// shown), never by OFFSET, and the count stops at CountCap: a million
// cases cost what fifty do.

// PageSize is how many cases a page of the inbox shows.
const PageSize = 50

// CountCap is where the inbox stops counting: "more than 10,000".
const CountCap = 10000

// InboxFilter narrows the inbox and says where its page starts.
type InboxFilter struct {
	Service  string // one service, or all
	Status   Status // one waiting status, or all
	Overdue  bool   // only those past their due date
	Assignee int64  // only those taken by this operator
	Free     bool   // only those nobody has taken
	Newest   bool   // the newest submitted first, instead of the earliest due
	// After is the page's start: the cursor of the last case of the
	// previous page (Cursor), "" for the first page.
	After string
}

// InboxItem is a case in the inbox with the applicant's name.
type InboxItem struct {
	Case      *Case
	Applicant string
	ParentID  int64 // a case about another (an extension: its permit)
}

// InboxStatuses are the statuses in which a case waits for the ministry.
var InboxStatuses = []Status{Submitted, DocumentsRequested, "approved"}

// Cursor is where a page after c starts, in the order of f.
func (f InboxFilter) Cursor(c *Case) string {
	t := c.DueAt
	if f.Newest {
		t = c.SubmittedAt
	}
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano) + "_" + fmt.Sprint(c.ID)
}

// where is the filter as SQL conditions on cases "c" with their args.
func (f InboxFilter) where(now time.Time) ([]string, []any) {
	// Approved is waiting only where approval is not the end (a permit
	// still to be issued).
	where := []string{"(c.status IN ('submitted', 'documents_requested') OR c.service = 'permit' AND c.status = 'approved')"}
	var args []any
	add := func(cond string, v ...any) {
		n := make([]any, len(v))
		for i := range v {
			n[i] = len(args) + i + 1
		}
		args = append(args, v...)
		where = append(where, fmt.Sprintf(cond, n...))
	}
	// A service and a status are written into the SQL, not passed as
	// parameters: PostgreSQL then plans each filter's statement once per
	// connection, where with parameters it planned it again for every page
	// (planning took longer than running it). Only plain words go in (the
	// back office passes only its services' names).
	if f.Service != "" {
		if isWord(f.Service) {
			where = append(where, "c.service = '"+f.Service+"'")
		} else {
			add("c.service = $%d", f.Service)
		}
	}
	for _, s := range InboxStatuses {
		if f.Status == s {
			where = append(where, "c.status = '"+string(s)+"'")
		}
	}
	if f.Overdue {
		add("c.due_at < $%d", now.UTC())
	}
	if f.Assignee != 0 {
		add("c.assignee_id = $%d", f.Assignee)
	}
	if f.Free {
		where = append(where, "c.assignee_id IS NULL")
	}
	return where, args
}

// isWord reports whether s is lower-case letters and underscores, as the
// services' names are: safe to write into SQL as a literal.
func isWord(s string) bool {
	if len(s) == 0 || len(s) > 40 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// InboxQuery is the SQL of a page of the inbox: the portal's and the
// performance ceiling's (bench/ceiling) one query.
func InboxQuery(f InboxFilter, now time.Time) (string, []any) {
	where, args := f.where(now)
	col, order := "c.due_at", "ASC"
	if f.Newest {
		col, order = "c.submitted_at", "DESC"
	}
	if t, id, ok := parseCursor(f.After); ok {
		cmp := ">"
		if f.Newest {
			cmp = "<"
		}
		args = append(args, t, id)
		where = append(where, fmt.Sprintf("(%s, c.id) %s ($%d, $%d)", col, cmp, len(args)-1, len(args)))
	}
	return `SELECT ` + Columns + `, COALESCE(e.org_name, p.surname || ' ' || p.given_name, ''), COALESCE(x.permit_case_id, 0)
		FROM cases c
		LEFT JOIN employers e ON e.cabinet_id = c.cabinet_id
		LEFT JOIN persons p ON p.cabinet_id = c.cabinet_id
		LEFT JOIN permit_extensions x ON x.case_id = c.id
		WHERE ` + strings.Join(where, " AND ") + fmt.Sprintf(` ORDER BY %s %s, c.id %s LIMIT %d`, col, order, order, PageSize), args
}

func parseCursor(s string) (time.Time, int64, bool) {
	ts, id, ok := strings.Cut(s, "_")
	if !ok {
		return time.Time{}, 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return time.Time{}, 0, false
	}
	var n int64
	if _, err := fmt.Sscan(id, &n); err != nil || n <= 0 {
		return time.Time{}, 0, false
	}
	return t, n, true
}

// Inbox lists a page of waiting cases.
func Inbox(ctx context.Context, d *db.DB, f InboxFilter, now time.Time) ([]InboxItem, error) {
	q, args := InboxQuery(f, now)
	rows, err := d.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("casework.Inbox: %w", err)
	}
	defer rows.Close()
	out := make([]InboxItem, 0, PageSize)
	for rows.Next() {
		var it InboxItem
		if it.Case, err = Scan(rows, &it.Applicant, &it.ParentID); err != nil {
			return nil, fmt.Errorf("casework.Inbox: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Counts remembers inbox counts for a few seconds: under load a queue's
// count is read far more often than it changes by enough to matter. The
// zero value is ready to use.
type Counts struct {
	mu sync.Mutex
	m  map[string]countEntry
}

type countEntry struct {
	n    int
	more bool
	at   time.Time
}

// countTTL is how long a count is reused.
const countTTL = 5 * time.Second

// Count is InboxCount, reused for countTTL per filter.
func (cc *Counts) Count(ctx context.Context, d *db.DB, f InboxFilter, now time.Time) (int, bool, error) {
	f.After = ""
	key := fmt.Sprintf("%+v", f)
	cc.mu.Lock()
	e, ok := cc.m[key]
	cc.mu.Unlock()
	if ok && time.Since(e.at) < countTTL && !f.Overdue { // the real clock: a cache's age
		return e.n, e.more, nil
	}
	n, more, err := InboxCount(ctx, d, f, now)
	if err != nil {
		return 0, false, err
	}
	cc.mu.Lock()
	if cc.m == nil || len(cc.m) > 1000 {
		cc.m = map[string]countEntry{}
	}
	cc.m[key] = countEntry{n, more, time.Now()}
	cc.mu.Unlock()
	return n, more, nil
}

// InboxCount is how many cases match f (its page start aside), counted
// up to CountCap; more reports that there are more than that.
func InboxCount(ctx context.Context, d *db.DB, f InboxFilter, now time.Time) (n int, more bool, err error) {
	where, args := f.where(now)
	err = d.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` LIMIT %d) capped`, CountCap+1), args...).Scan(&n)
	if err != nil {
		return 0, false, fmt.Errorf("casework.InboxCount: %w", err)
	}
	if n > CountCap {
		return CountCap, true, nil
	}
	return n, false, nil
}
