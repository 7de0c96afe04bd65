package backoffice

import (
	"context"
	"html"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/profile"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/staff"
	"github.com/emgek/emgek/internal/web"
)

// lifecycles are the services whose cases the inbox holds.
var lifecycles = []*casework.Lifecycle{quota.Lifecycle, permit.Lifecycle, permit.ExtensionLifecycle}

type inboxPage struct {
	web.Page
	Head     template.HTML // all above the rows, from inboxHeads
	HasRows  bool
	Rows     template.HTML // the table's rows, built by inboxRow.write
	Count    int           // cases matching, up to casework.CountCap
	More     bool          // more than that
	Next     string        // the next page's address, "" on the last
	Cabinets int           // waiting for activation
	Changes  int           // waiting for review
	Services []web.Option
	Statuses []web.Option
	Whose    []web.Option
	Sorts    []web.Option
}

// inboxRow is a case as the table shows it. The inbox is the back
// office's hottest page, and html/template's escaping costs a reflective
// call per value (about 12 µs a row): its rows are built here, every text
// escaped with html.EscapeString and every address made of numbers.
type inboxRow struct {
	ID        int64
	Link      string
	Number    string
	Service   string
	Applicant string
	Status    string
	Due       string
	Operator  string
	Mine      bool // taken by the operator looking
	Free      bool // taken by nobody
}

// showInbox is the back office's one inbox: every case waiting for the
// ministry across services, the earliest due first, with the other tasks
// counted above it.
func (h *Handler) showInbox(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	if !slices.ContainsFunc(lifecycles, func(lc *casework.Lifecycle) bool { return lc.Service == q.Get("service") }) {
		q.Del("service") // an unknown service is no filter, as an unknown status is
	}
	f := casework.InboxFilter{Service: q.Get("service"), Status: casework.Status(q.Get("status")), Overdue: q.Get("overdue") == "1",
		Newest: q.Get("sort") == "newest", After: q.Get("after")}
	switch q.Get("whose") {
	case "mine":
		f.Assignee = web.User(ctx).ID
	case "free":
		f.Free = true
	}
	items, err := casework.Inbox(ctx, h.DB, f, h.Kit.Now())
	if err != nil {
		return err
	}
	p := &inboxPage{Page: h.Kit.Page(r, "office.inbox.title")}
	p.Form = web.NewForm(q)
	if p.Count, p.More, err = h.counts.Count(ctx, h.DB, f, h.Kit.Now()); err != nil {
		return err
	}
	if len(items) == casework.PageSize {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("after", f.Cursor(items[len(items)-1].Case))
		p.Next = "/office/inbox?" + next.Encode()
	}
	around, err := h.around.get(ctx, h.DB, false)
	if err != nil {
		return err
	}
	for _, it := range items {
		if id := it.Case.AssigneeID; id != 0 && around.names[id] == "" { // someone new since
			if around, err = h.around.get(ctx, h.DB, true); err != nil {
				return err
			}
			break
		}
	}
	p.Cabinets, p.Changes = around.cabinets, around.changes
	p.HasRows = len(items) > 0
	if p.Head, err = h.heads.head(h.Kit, p); err != nil {
		return err
	}
	names := around.names
	labels := map[string]string{}
	label := func(id string) string {
		if s, ok := labels[id]; ok {
			return s
		}
		labels[id] = p.L.T(id)
		return labels[id]
	}
	me := web.User(ctx).ID
	var rows strings.Builder
	rows.Grow(700 * len(items))
	take, release := p.L.T("office.inbox.take"), p.L.T("office.inbox.release")
	for _, it := range items {
		c := it.Case
		row := inboxRow{ID: c.ID, Number: c.Number, Applicant: it.Applicant, Service: label("office.inbox.service." + c.Service),
			Status: label("case.status." + string(c.Status)), Operator: names[c.AssigneeID], Mine: c.AssigneeID == me && me != 0, Free: c.AssigneeID == 0}
		switch c.Service {
		case "quota":
			row.Link = "/office/quota/" + strconv.FormatInt(c.ID, 10)
		case "permit":
			row.Link = "/office/permits/" + strconv.FormatInt(c.ID, 10)
		default:
			row.Link = "/office/permits/" + strconv.FormatInt(it.ParentID, 10)
		}
		if c.DueAt != nil {
			row.Due = c.DueAt.Format(time.DateOnly)
		}
		row.write(&rows, take, release)
	}
	p.Rows = template.HTML(rows.String()) // every value in it is escaped or a number
	return h.Kit.Render(w, r, http.StatusOK, "office/inbox", p)
}

// takeCase assigns a case to the operator ("take"), or gives it back; of
// two operators taking one case at once, the second is told.
func (h *Handler) takeCase(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	staffID := web.User(ctx).ID
	release := r.PostForm.Get("release") == "1"
	err = h.DB.Transact(ctx, func(tx *db.DB) error {
		for _, lc := range lifecycles {
			c, err := lc.ByID(ctx, tx, id)
			if apperr.IsNotFound(err) {
				continue
			}
			if err != nil {
				return err
			}
			if release {
				if c.AssigneeID != staffID {
					return apperr.New(apperr.Conflict, "case.already_changed")
				}
				return lc.Assign(ctx, tx, c, 0, h.Kit.Now(), by(r))
			}
			if c.AssigneeID != 0 {
				return apperr.New(apperr.Conflict, "office.inbox.taken")
			}
			return lc.Assign(ctx, tx, c, staffID, h.Kit.Now(), by(r))
		}
		return apperr.New(apperr.NotFound, "error.not_found")
	})
	if err != nil {
		return err
	}
	if release {
		h.Kit.Flash(r, "office.inbox.released")
	} else {
		h.Kit.Flash(r, "office.inbox.taken_ok")
	}
	return web.Redirect(w, r, "/office/inbox#case-"+strconv.FormatInt(id, 10))
}

// write adds the row's markup to b, every value escaped (office/inbox.html
// has the table around it). One builder for all rows: the page is the
// busiest of the back office.
func (r inboxRow) write(b *strings.Builder, take, release string) {
	esc := func(s string) { b.WriteString(html.EscapeString(s)) }
	id := strconv.FormatInt(r.ID, 10)
	b.WriteString(`<tr class="govuk-table__row" id="case-`)
	b.WriteString(id)
	b.WriteString(`"><td class="govuk-table__cell"><a class="govuk-link" href="`)
	esc(r.Link)
	b.WriteString(`">`)
	esc(r.Number)
	b.WriteString(`</a></td>`)
	for _, cell := range []string{r.Service, r.Applicant, r.Status, r.Due} {
		b.WriteString(`<td class="govuk-table__cell">`)
		esc(cell)
		b.WriteString(`</td>`)
	}
	b.WriteString(`<td class="govuk-table__cell">`)
	esc(r.Operator)
	button := func(label, hidden string) {
		b.WriteString(`<form method="post" action="/office/cases/`)
		b.WriteString(id)
		b.WriteString(`/take">`)
		b.WriteString(hidden)
		b.WriteString(`<button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button">`)
		esc(label)
		b.WriteString(`<span class="govuk-visually-hidden"> `)
		esc(r.Number)
		b.WriteString(`</span></button></form>`)
	}
	switch {
	case r.Mine:
		button(release, `<input type="hidden" name="release" value="1">`)
	case r.Free:
		button(take, "")
	}
	b.WriteString("</td></tr>\n")
}

// aroundInbox is what the inbox shows around its cases — how many
// cabinets and changes wait, and the operators' names — reused for a few
// seconds, as the inbox's count is: three queries less on the busiest
// page of the back office.
type aroundInbox struct {
	mu       sync.Mutex
	at       time.Time
	cabinets int
	changes  int
	names    map[int64]string
}

// aroundTTL is how long the figures are reused (the real clock: a cache's age).
const aroundTTL = 5 * time.Second

// aroundFigures is one reading of aroundInbox.
type aroundFigures struct {
	cabinets, changes int
	names             map[int64]string // not to be changed: shared by the requests
}

// get returns the figures, read again when older than aroundTTL or when
// fresh is asked for.
func (a *aroundInbox) get(ctx context.Context, d *db.DB, fresh bool) (aroundFigures, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !fresh && a.names != nil && time.Since(a.at) < aroundTTL {
		return aroundFigures{a.cabinets, a.changes, a.names}, nil
	}
	cabinets, err := account.Count(ctx, d, account.Pending)
	if err != nil {
		return aroundFigures{}, err
	}
	changes, err := profile.CountPending(ctx, d)
	if err != nil {
		return aroundFigures{}, err
	}
	members, err := staff.List(ctx, d)
	if err != nil {
		return aroundFigures{}, err
	}
	names := make(map[int64]string, len(members))
	for _, m := range members {
		names[m.ID] = m.Name
	}
	a.cabinets, a.changes, a.names, a.at = cabinets, changes, names, time.Now()
	return aroundFigures{cabinets, changes, names}, nil
}

// inboxHeads keeps the part of the inbox above its rows rendered, per
// language, chosen filters and the figures it shows (which change every
// few seconds at most: they are reused for that long): through
// html/template it cost a fifth of the page.
type inboxHeads struct {
	mu    sync.Mutex
	heads map[string]template.HTML
}

func (f *inboxHeads) head(k *web.Kit, p *inboxPage) (template.HTML, error) {
	g := p.Form.Get
	key := strings.Join([]string{p.Lang, g("service"), g("status"), g("whose"), g("sort"), g("overdue"),
		strconv.Itoa(p.Count), strconv.FormatBool(p.More), strconv.Itoa(p.Cabinets), strconv.Itoa(p.Changes), strconv.FormatBool(p.HasRows)}, "\x00")
	f.mu.Lock()
	html, ok := f.heads[key]
	f.mu.Unlock()
	if ok {
		return html, nil
	}
	for _, lc := range lifecycles {
		p.Services = append(p.Services, web.Option{Value: lc.Service, Label: p.L.T("office.inbox.service." + lc.Service)})
	}
	for _, s := range casework.InboxStatuses {
		p.Statuses = append(p.Statuses, web.Option{Value: string(s), Label: p.L.T("case.status." + string(s))})
	}
	p.Whose = []web.Option{{Value: "mine", Label: p.L.T("office.inbox.mine")}, {Value: "free", Label: p.L.T("office.inbox.free")}}
	p.Sorts = []web.Option{{Value: "newest", Label: p.L.T("office.inbox.newest")}}
	html, err := k.Fragment("office/inbox", "head", p)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	if f.heads == nil || len(f.heads) > 5000 { // odd values typed into the address, counts gone by: start afresh
		f.heads = map[string]template.HTML{}
	}
	f.heads[key] = html
	f.mu.Unlock()
	return html, nil
}
