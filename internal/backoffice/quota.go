package backoffice

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/message"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/web"
)

type quotaQueuePage struct {
	web.Page
	Applications []*quota.Application
	Statuses     []web.Option
	Regions      []web.Option
	Ages         []web.Option
}

// listQuota is the queue of quota applications, the earliest due first,
// filtered by status, region, age and overdue (a GET form: no script).
func (h *Handler) listQuota(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	f := quota.QueueFilter{Status: casework.Status(q.Get("status")), Region: q.Get("region"), Overdue: q.Get("age") == "overdue"}
	if f.Status != "" && f.Status != casework.Submitted && f.Status != casework.DocumentsRequested {
		f.Status = ""
	}
	f.OlderThan = h.olderThan(q.Get("age"))
	apps, err := h.Quotas.Queue(ctx, f)
	if err != nil {
		return err
	}
	p := &quotaQueuePage{Page: h.Kit.Page(r, "office.quota.title"), Applications: apps}
	p.Form = web.NewForm(q)
	for _, st := range []casework.Status{casework.Submitted, casework.DocumentsRequested} {
		p.Statuses = append(p.Statuses, web.Option{Value: string(st), Label: p.L.T("case.status." + string(st))})
	}
	if p.Regions, err = h.regionOptions(r, p.Lang); err != nil {
		return err
	}
	p.Ages = ageOptions(p.L)
	return h.Kit.Render(w, r, http.StatusOK, "office/quota_queue", p)
}

// importQuota sets a year's ledger from a CSV file of lines
// "region,major_group,quota" (admins); all lines or none.
func (h *Handler) importQuota(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20) // a ledger is a few hundred lines
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		form := web.NewForm(nil)
		form.Errors.Add("file", "quota.csv_unreadable")
		return h.renderLedger(w, r, http.StatusUnprocessableEntity, form)
	}
	form := web.NewForm(r.PostForm)
	year, _ := strconv.Atoi(form.Get("year"))
	f, _, err := r.FormFile("file")
	if err != nil {
		form.Errors.Add("file", "upload.choose_file")
		return h.renderLedger(w, r, http.StatusUnprocessableEntity, form)
	}
	defer f.Close()
	_, err = h.Quotas.ImportCSV(r.Context(), year, f, by(r))
	if err != nil {
		if form.SetErrors(err) {
			return h.renderLedger(w, r, http.StatusUnprocessableEntity, form)
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid {
			form.Errors.Add("file", e.Key)
			return h.renderLedger(w, r, http.StatusUnprocessableEntity, form)
		}
		return err
	}
	h.Kit.Flash(r, "office.ledger.imported")
	return web.Redirect(w, r, "/office/quota/ledger?year="+strconv.Itoa(year))
}

type quotaCasePage struct {
	web.Page
	App       *quota.Application
	Employer  *account.Cabinet
	Countries map[string]string
	Titles    map[string]string
	Reasons   []web.Option
	Rows      []int
	Documents []document.Document
}

func (h *Handler) renderQuota(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := h.Quotas.ByCase(ctx, h.DB, id)
	if err != nil {
		return err
	}
	c, err := account.ByID(ctx, h.DB, a.Case.CabinetID)
	if err != nil {
		return err
	}
	p := &quotaCasePage{Page: h.Kit.Page(r, "quota.application"), App: a, Employer: c,
		Countries: map[string]string{}, Titles: map[string]string{}}
	p.Form = form
	for i, row := range a.Rows {
		p.Rows = append(p.Rows, i)
		p.Countries[row.Country] = classifier.CountryName(ctx, h.DB, row.Country, p.Lang)
		if o := h.Occupations.ByCode(row.Occupation); o != nil {
			p.Titles[row.Occupation] = o.Code + " " + o.Title(p.Lang)
		}
	}
	if p.Documents, err = h.Documents.ByCase(ctx, id); err != nil {
		return err
	}
	for _, reason := range quota.CutReasons {
		p.Reasons = append(p.Reasons, web.Option{Value: reason, Label: p.L.T("quota.reason." + reason)})
	}
	return h.Kit.Render(w, r, status, "office/quota_case", p)
}

func (h *Handler) showQuota(w http.ResponseWriter, r *http.Request) error {
	return h.renderQuota(w, r, http.StatusOK, web.NewForm(nil))
}

// decideQuota records the commission's decision: per row the approved
// number and, for a cut, the reason; the protocol's number and date.
func (h *Handler) decideQuota(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	a, err := h.Quotas.ByCase(ctx, h.DB, id)
	if err != nil {
		return err
	}
	var decisions []quota.Decision
	var fe apperr.FieldErrors
	for i, row := range a.Rows {
		f := "rows-" + strconv.Itoa(i) + "-"
		n, err := strconv.Atoi(strings.TrimSpace(form.Get(f + "approved")))
		if err != nil {
			fe.Add(f+"approved", "quota.approved_range", map[string]any{"Requested": row.Requested})
			continue
		}
		decisions = append(decisions, quota.Decision{RowID: row.ID, Approved: n, Reason: form.Get(f + "reason")})
	}
	date, _ := time.Parse(time.DateOnly, web.DateValue(r.PostForm, "protocol_date"))
	if len(fe) == 0 {
		err = h.Quotas.Decide(ctx, id, web.User(ctx).ID, decisions, quota.Protocol{Number: form.Get("protocol_number"), Date: date}, by(r))
	} else {
		err = fe.Err()
	}
	if err != nil {
		if form.SetErrors(err) {
			return h.renderQuota(w, r, http.StatusUnprocessableEntity, form)
		}
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict {
			form.Errors.Add("decision", e.Key, e.Args)
			return h.renderQuota(w, r, http.StatusConflict, form)
		}
		return err
	}
	h.Kit.Flash(r, "office.quota.decided")
	return web.Redirect(w, r, "/office/quota")
}

type ledgerPage struct {
	web.Page
	Names   map[string]string
	Year    int
	Cells   []quota.Cell
	Regions []web.Option
	Majors  []web.Option
}

func (h *Handler) renderLedger(w http.ResponseWriter, r *http.Request, status int, form *web.Form) error {
	ctx := r.Context()
	year := quota.ThisYear(h.Kit.Now())
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y < 2100 {
		year = y
	}
	cells, err := h.Quotas.Cells(ctx, year)
	if err != nil {
		return err
	}
	p := &ledgerPage{Page: h.Kit.Page(r, "office.ledger.title"), Year: year, Cells: cells}
	p.Form = form
	if p.Names, err = classifier.RegionAndGroupNames(ctx, h.DB, h.Occupations, p.Lang); err != nil {
		return err
	}
	if p.Regions, err = h.regionOptions(r, p.Lang); err != nil {
		return err
	}
	for d := '0'; d <= '9'; d++ {
		if o := h.Occupations.ByCode(string(d)); o != nil {
			p.Majors = append(p.Majors, web.Option{Value: o.Code, Label: o.Code + " " + o.Title(p.Lang)})
		}
	}
	return h.Kit.Render(w, r, status, "office/quota_ledger", p)
}

func (h *Handler) showLedger(w http.ResponseWriter, r *http.Request) error {
	return h.renderLedger(w, r, http.StatusOK, web.NewForm(nil))
}

// setQuota sets one cell of the ledger (admins).
func (h *Handler) setQuota(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	year, _ := strconv.Atoi(form.Get("year"))
	n, err := strconv.Atoi(strings.TrimSpace(form.Get("quota")))
	if err != nil {
		n = -1
	}
	if err := h.Quotas.SetQuota(r.Context(), year, form.Get("region"), form.Get("major_group"), n, by(r)); err != nil {
		if form.SetErrors(err) {
			return h.renderLedger(w, r, http.StatusUnprocessableEntity, form)
		}
		return err
	}
	h.Kit.Flash(r, "office.ledger.saved")
	return web.Redirect(w, r, "/office/quota/ledger?year="+strconv.Itoa(year))
}

// requestQuotaDocuments asks the employer for more documents: the case
// waits, and the employer gets a message about it.
func (h *Handler) requestQuotaDocuments(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	form := web.NewForm(r.PostForm)
	text := strings.TrimSpace(form.Get("message"))
	if text == "" {
		form.Errors.Add("message", "quota.documents_message_required")
		return h.renderQuota(w, r, http.StatusUnprocessableEntity, form)
	}
	staffID, l := web.User(ctx).ID, web.Localizer(ctx)
	err = h.Quotas.RequestDocuments(ctx, id, by(r), func(tx *db.DB, c *casework.Case) error {
		msgs := &message.Service{DB: tx, Jobs: h.Messages.Jobs, Now: h.Messages.Now}
		_, err := msgs.Send(ctx, c.CabinetID, staffID, message.Draft{Subject: l.T("quota.documents_subject"), Body: text, About: c.Number}, by(r))
		return err
	})
	if err != nil {
		if e, ok := apperr.As(err); ok && e.Kind == apperr.Conflict {
			form.Errors.Add("decision", e.Key)
			return h.renderQuota(w, r, http.StatusConflict, form)
		}
		return err
	}
	h.Kit.Flash(r, "office.quota.documents_requested")
	return web.Redirect(w, r, "/office/quota")
}

// regionOptions are the regions for a filter or a field, named in lang.
func (h *Handler) regionOptions(r *http.Request, lang string) ([]web.Option, error) {
	regions, err := classifier.Regions(r.Context(), h.DB, lang)
	if err != nil {
		return nil, err
	}
	opts := make([]web.Option, 0, len(regions))
	for _, reg := range regions {
		opts = append(opts, web.Option{Value: reg.Code, Label: reg.Name})
	}
	return opts, nil
}

// ageOptions are a queue's "age" filter: overdue, or older than 7 or 30 days.
func ageOptions(l *i18n.Localizer) []web.Option {
	return []web.Option{{Value: "overdue", Label: l.T("office.quota.overdue")},
		{Value: "7", Label: l.T("office.quota.older_than", map[string]any{"Count": 7})},
		{Value: "30", Label: l.T("office.quota.older_than", map[string]any{"Count": 30})}}
}

// olderThan is the instant an "age" filter of N days means (zero for none).
func (h *Handler) olderThan(age string) time.Time {
	if days, err := strconv.Atoi(age); err == nil && days > 0 {
		return h.Kit.Now().AddDate(0, 0, -days)
	}
	return time.Time{}
}
