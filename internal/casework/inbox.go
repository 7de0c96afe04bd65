package casework

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/db"
)

// The back office works on one inbox across services (ARCHITECTURE.md):
// every case waiting for the ministry, the earliest due first, with the
// same filters whatever the service, and the other tasks — cabinets to
// activate, changes to review — counted beside it.

// InboxFilter narrows the inbox.
type InboxFilter struct {
	Service  string // one service, or all
	Status   Status // one waiting status, or all
	Overdue  bool   // only those past their due date
	Assignee int64  // only those taken by this operator
	Free     bool   // only those nobody has taken
}

// InboxItem is a case in the inbox with the applicant's name.
type InboxItem struct {
	Case      *Case
	Applicant string
	ParentID  int64 // a case about another (an extension: its permit)
}

// InboxStatuses are the statuses in which a case waits for the ministry.
var InboxStatuses = []Status{Submitted, DocumentsRequested, "approved"}

// Inbox lists waiting cases, the earliest due first, at most 100.
func Inbox(ctx context.Context, d *db.DB, f InboxFilter, now time.Time) ([]InboxItem, error) {
	// Approved is waiting only where approval is not the end (a permit
	// still to be issued).
	where := []string{"(c.status IN ('submitted', 'documents_requested') OR c.service = 'permit' AND c.status = 'approved')"}
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.Service != "" {
		add("c.service = $%d", f.Service)
	}
	for _, s := range InboxStatuses {
		if f.Status == s {
			add("c.status = $%d", s)
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
	rows, err := d.Query(ctx, `SELECT `+Columns+`, COALESCE(e.org_name, p.surname || ' ' || p.given_name, ''), COALESCE(x.permit_case_id, 0)
		FROM cases c
		LEFT JOIN employers e ON e.cabinet_id = c.cabinet_id
		LEFT JOIN persons p ON p.cabinet_id = c.cabinet_id
		LEFT JOIN permit_extensions x ON x.case_id = c.id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY c.due_at, c.id LIMIT 100`, args...)
	if err != nil {
		return nil, fmt.Errorf("casework.Inbox: %w", err)
	}
	defer rows.Close()
	var out []InboxItem
	for rows.Next() {
		var it InboxItem
		if it.Case, err = Scan(rows, &it.Applicant, &it.ParentID); err != nil {
			return nil, fmt.Errorf("casework.Inbox: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
