package permit_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/config"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/registry"
)

var sys = audit.Event{Actor: "staff:1"}

func codes(rs []permit.Reason) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code)
	}
	return out
}

// TestSearchRefusals: each check refuses with its own reason, the
// eligible person passes, and the form is offered the employer's rows.
func TestSearchRefusals(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
		cab, err := account.ByID(ctx, e.DB, emp)
		if err != nil {
			t.Fatal(err)
		}
		// No quota yet: an eligible person is refused for that reason only.
		el, err := e.App.Permits.Search(ctx, cab, "UZ", "aa 000 0006", sys)
		if err != nil {
			t.Fatal(err)
		}
		if got := codes(el.Refusals); !slices.Equal(got, []string{"no_quota"}) {
			t.Fatalf("without quota: %v", got)
		}
		if el.Holder.Number != "AA0000006" || !el.Holder.Demo || el.Holder.Surname == "" {
			t.Fatalf("holder %+v", el.Holder)
		}
		e.ApprovedQuota(emp, "UZ", "7112", 2)
		for number, want := range map[string]string{
			"AA0000006": "", "AA0000001": "entry_ban_indefinite", "AA0000011": "entry_ban", "AA0000002": "passport_expired",
			"AA0000003": "passport_expiring", "AA0000004": "permit_valid", "AA0000005": "",
		} {
			el, err := e.App.Permits.Search(ctx, cab, "UZ", number, sys)
			if err != nil {
				t.Fatal(number, err)
			}
			got := codes(el.Refusals)
			if want == "" && len(got) != 0 || want != "" && !slices.Equal(got, []string{want}) {
				t.Errorf("%s: refusals %v, want %q", number, got, want)
			}
			if want == "" && len(el.Allocations) != 1 {
				t.Errorf("%s: allocations %v", number, el.Allocations)
			}
		}
		el, _ = e.App.Permits.Search(ctx, cab, "UZ", "AA0000005", sys)
		if got := codes(el.Notes); !slices.Equal(got, []string{"revoked_before"}) {
			t.Errorf("previous revocation: notes %v", got)
		}
		// Citizens of a country the employer has no quota for.
		el, _ = e.App.Permits.Search(ctx, cab, "TJ", "TJ0000006", sys)
		if got := codes(el.Refusals); !slices.Equal(got, []string{"no_quota"}) {
			t.Errorf("other country: %v", got)
		}
		// Bad input is a field error, a stranger's number another.
		_, err = e.App.Permits.Search(ctx, cab, "", "a!", sys)
		if e, ok := apperr.As(err); !ok || !e.Fields.Has("country") || !e.Fields.Has("number") {
			t.Errorf("bad input: %v", err)
		}
		_, err = e.App.Permits.Search(ctx, cab, "UZ", "AA0009999", sys)
		if e, ok := apperr.As(err); !ok || e.Fields["number"].Key != "permit.not_in_registry" {
			t.Errorf("unknown passport: %v", err)
		}
		// A cabinet that is not active.
		pending := e.NewCabinet(account.Employer, "pending@example.test", account.Pending)
		pc, _ := account.ByID(ctx, e.DB, pending)
		el, _ = e.App.Permits.Search(ctx, pc, "UZ", "AA0000006", sys)
		if !slices.Contains(codes(el.Refusals), "cabinet_inactive") {
			t.Errorf("pending cabinet: %v", codes(el.Refusals))
		}
	})
}

// TestLookupsAudited: every look-up, found or not, is recorded with who
// and why, and the audit trail refers to it by id, never by the number.
func TestLookupsAudited(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := t.Context()
	emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
	cab, _ := account.ByID(ctx, e.DB, emp)
	by := audit.Event{Actor: "cabinet:" + itoa(emp), IP: "192.0.2.1"}
	if _, err := e.App.Permits.Search(ctx, cab, "UZ", "AA0000006", by); err != nil {
		t.Fatal(err)
	}
	if _, err := e.App.Permits.Search(ctx, cab, "UZ", "AA0009999", by); err == nil {
		t.Fatal("unknown passport found")
	}
	rows, err := e.DB.Query(ctx, `SELECT subject, purpose, result, actor FROM registry_lookups ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s, p, r, a string
		if err := rows.Scan(&s, &p, &r, &a); err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.Join([]string{s, p, r, a}, " "))
	}
	rows.Close()
	want := []string{"UZ:AA0000006 permit.search found " + by.Actor, "UZ:AA0009999 permit.search not_found " + by.Actor}
	if !slices.Equal(got, want) {
		t.Fatalf("lookups %q, want %q", got, want)
	}
	var n int
	if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE action = 'registry.lookup' AND object LIKE 'lookup:%' AND ip = '192.0.2.1'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("audit rows %d %v", n, err)
	}
	if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM audit_events WHERE object LIKE '%AA000%' OR detail LIKE '%AA000%'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("passport numbers in the audit trail: %d %v", n, err)
	}
	if strings.Contains(e.Logs(), "AA000") {
		t.Fatalf("a passport number in the logs:\n%s", e.Logs())
	}
}

// TestRegistryDown: a registry that fails is Unavailable, the look-up is
// recorded as such, and nothing is started.
func TestRegistryDown(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) }))
	defer srv.Close()
	e := apptest.New(t, "sqlite", func(c *config.Config) { c.PassportRegistryURL = srv.URL })
	ctx := t.Context()
	cab, _ := account.ByID(ctx, e.DB, e.NewCabinet(account.Employer, "emp@example.test", account.Active))
	_, err := e.App.Permits.Search(ctx, cab, "UZ", "AA0000006", sys)
	if apperr.KindOf(err) != apperr.Unavailable || !errors.Is(err, registry.ErrUnavailable) {
		t.Fatalf("err %v", err)
	}
	var result string
	if err := e.DB.QueryRow(ctx, `SELECT result FROM registry_lookups`).Scan(&result); err != nil || result != "unavailable" {
		t.Fatalf("lookup %q %v", result, err)
	}
}

// TestFormChecks: the form refuses a period too short, too long, in the
// past or beyond the passport, a salary that is not a number, and a row
// that is not the employer's; each at its field.
func TestFormChecks(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := t.Context()
	emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
	row := e.ApprovedQuota(emp, "UZ", "7112", 2)
	id := e.PermitDraft(emp, "UZ", "AA0000006", row)
	a, err := e.App.Permits.ByCase(ctx, e.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	today := permit.Today(e.App.Kit.Now())
	day := func(months, days int) string {
		d, _ := time.Parse(time.DateOnly, today)
		return d.AddDate(0, months, days).Format(time.DateOnly)
	}
	for name, c := range map[string]struct {
		d     permit.Details
		field string
		key   string
	}{
		"short":    {permit.Details{QuotaRowID: row, Workplace: "Bishkek 1", Salary: 1, PeriodFrom: today, PeriodTo: day(2, 0)}, "period_to", "permit.period_short"},
		"long":     {permit.Details{QuotaRowID: row, Workplace: "Bishkek 1", Salary: 1, PeriodFrom: today, PeriodTo: day(12, 1)}, "period_to", "permit.period_long"},
		"past":     {permit.Details{QuotaRowID: row, Workplace: "Bishkek 1", Salary: 1, PeriodFrom: day(0, -1), PeriodTo: day(6, 0)}, "period_from", "permit.period_past"},
		"invalid":  {permit.Details{QuotaRowID: row, Workplace: "Bishkek 1", Salary: 1, PeriodFrom: "invalid", PeriodTo: day(6, 0)}, "period_from", "form.date_invalid"},
		"salary":   {permit.Details{QuotaRowID: row, Workplace: "Bishkek 1", Salary: -1, PeriodFrom: today, PeriodTo: day(6, 0)}, "salary", "permit.salary_range"},
		"place":    {permit.Details{QuotaRowID: row, Workplace: " ", Salary: 1, PeriodFrom: today, PeriodTo: day(6, 0)}, "workplace", "permit.workplace_required"},
		"row":      {permit.Details{QuotaRowID: row + 100, Workplace: "Bishkek 1", Salary: 1, PeriodFrom: today, PeriodTo: day(6, 0)}, "quota_row", "permit.choose_allocation"},
		"passport": {permit.Details{QuotaRowID: row, Workplace: "Bishkek 1", Salary: 1, PeriodFrom: a.Holder.PassportExpires, PeriodTo: day(0, 0)}, "period_to", ""},
	} {
		err := e.App.Permits.Save(ctx, emp, id, c.d, sys)
		ae, ok := apperr.As(err)
		if !ok || !ae.Fields.Has(c.field) || c.key != "" && ae.Fields[c.field].Key != c.key {
			t.Errorf("%s: %v, want %s at %s", name, err, c.key, c.field)
		}
	}
}

// TestLifecycle walks an application through approval, issue, extension,
// revocation, and checks what each step took and told.
func TestLifecycle(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
		row := e.ApprovedQuota(emp, "UZ", "7112", 1)
		id := e.SubmittedPermit(emp, "UZ", "AA0000006", row)
		// A second employer cannot apply for the same person meanwhile.
		other := e.NewCabinet(account.Employer, "other@example.test", account.Active)
		e.ApprovedQuota(other, "UZ", "7112", 1)
		oc, _ := account.ByID(ctx, e.DB, other)
		if el, _ := e.App.Permits.Search(ctx, oc, "UZ", "AA0000006", sys); !slices.Equal(codes(el.Refusals), []string{"application_open"}) {
			t.Fatalf("other employer: %v", codes(el.Refusals))
		}
		if err := e.App.Permits.Approve(ctx, id, sys); err != nil {
			t.Fatal(err)
		}
		if err := e.App.Permits.Approve(ctx, id, sys); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("second approval: %v", err)
		}
		// The row is used up: the next application of this employer cannot be approved.
		if el, _ := e.App.Permits.Search(ctx, mustCab(t, e, emp), "UZ", "AA0000007", sys); !slices.Equal(codes(el.Refusals), []string{"no_quota"}) {
			t.Fatalf("used-up row: %v", codes(el.Refusals))
		}
		if el, _ := e.App.Permits.Search(ctx, oc, "UZ", "AA0000006", sys); !slices.Equal(codes(el.Refusals), []string{"permit_valid"}) {
			t.Fatalf("after approval: %v", codes(el.Refusals))
		}
		if err := e.App.Permits.Issue(ctx, id, sys); err != nil {
			t.Fatal(err)
		}
		a, _ := e.App.Permits.ByCase(ctx, e.DB, id)
		today := permit.Today(e.App.Kit.Now())
		if !strings.HasPrefix(a.PermitNumber, "WP-") || a.ValidFrom != today || !a.Printable(today) || a.State(today) != "valid" {
			t.Fatalf("issued %+v", a)
		}
		if a.CanExtend(today) {
			t.Fatal("extension allowed six months before the end")
		}
		if _, err := e.App.Permits.RequestExtension(ctx, emp, id, a.ValidUntil, "", sys); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("extension outside the window: %v", err)
		}
		// Into the window: 45 days before the end.
		until, _ := time.Parse(time.DateOnly, a.ValidUntil)
		now, _ := time.Parse(time.DateOnly, today)
		e.Advance(until.Sub(now) - 45*24*time.Hour)
		day := permit.Today(e.App.Kit.Now())
		if !a.CanExtend(day) {
			t.Fatalf("no extension on %s for %s", day, a.ValidUntil)
		}
		if err := e.App.Permits.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.App.Permits.Sweep(ctx); err != nil {
			t.Fatal(err)
		}
		e.Outbox("emp@example.test", "You can now ask to extend a work permit")
		var queued int
		if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'send_mail' AND CAST(args AS TEXT) LIKE '%permit_extension_open%'`).Scan(&queued); err != nil || queued != 1 {
			t.Fatalf("window emails queued by two sweeps: %d %v", queued, err)
		}
		newUntil := until.AddDate(0, 3, 0).Format(time.DateOnly)
		_, err := e.App.Permits.RequestExtension(ctx, emp, id, until.AddDate(1, 0, 1).Format(time.DateOnly), "", sys)
		if ae, ok := apperr.As(err); !ok || !ae.Fields.Has("new_until") {
			t.Fatalf("extension by more than a year: %v", err)
		}
		xid, err := e.App.Permits.RequestExtension(ctx, emp, id, newUntil, "the project goes on", sys)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.App.Permits.RequestExtension(ctx, emp, id, newUntil, "", sys); apperr.KindOf(err) != apperr.Conflict {
			t.Fatalf("second request: %v", err)
		}
		if err := e.App.Permits.DecideExtension(ctx, xid, true, "", sys); err != nil {
			t.Fatal(err)
		}
		a, _ = e.App.Permits.ByCase(ctx, e.DB, id)
		if a.ValidUntil != newUntil {
			t.Fatalf("extended until %s, want %s", a.ValidUntil, newUntil)
		}
		if err := e.App.Permits.Revoke(ctx, id, "", "", sys); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("revocation without a reason: %v", err)
		}
		if err := e.App.Permits.Revoke(ctx, id, "employment_ended", "", sys); err != nil {
			t.Fatal(err)
		}
		a, _ = e.App.Permits.ByCase(ctx, e.DB, id)
		if a.State(day) != "revoked" || a.Printable(day) || a.Case.Status != permit.Revoked {
			t.Fatalf("revoked %+v", a)
		}
		// Revoked: the person may get a permit again.
		if el, _ := e.App.Permits.Search(ctx, oc, "UZ", "AA0000006", sys); slices.Contains(codes(el.Refusals), "permit_valid") {
			t.Fatalf("after revocation: %v", codes(el.Refusals))
		}
		e.Outbox("emp@example.test", "Your work permit application has a new status")
	})
}

// TestExpiry: the sweep expires permits past their end, once.
func TestExpiry(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := t.Context()
	emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
	id := e.SubmittedPermit(emp, "UZ", "AA0000006", e.ApprovedQuota(emp, "UZ", "7112", 1))
	for _, step := range []func(int64, audit.Event) error{
		func(id int64, by audit.Event) error { return e.App.Permits.Approve(ctx, id, by) },
		func(id int64, by audit.Event) error { return e.App.Permits.Issue(ctx, id, by) },
	} {
		if err := step(id, sys); err != nil {
			t.Fatal(err)
		}
	}
	e.Advance(400 * 24 * time.Hour)
	if err := e.App.Permits.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	a, _ := e.App.Permits.ByCase(ctx, e.DB, id)
	if a.Case.Status != permit.Expired || a.State(permit.Today(e.App.Kit.Now())) != "expired" {
		t.Fatalf("after the end: %s", a.Case.Status)
	}
	var holding bool
	if err := e.DB.QueryRow(ctx, `SELECT holding FROM permits WHERE case_id = $1`, id).Scan(&holding); err != nil || holding {
		t.Fatalf("still holding: %v %v", holding, err)
	}
}

// TestEntrepreneur: an FIE checks availability on itself and its cell,
// and its approval takes from the ledger cell straight.
func TestEntrepreneur(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := t.Context()
	fie := e.NewCabinet(account.FIE, "fie@example.test", account.Active)
	cab, _ := account.ByID(ctx, e.DB, fie)
	unit := func(code string) bool { return len(code) == 4 && e.App.Occupations.ByCode(code) != nil }
	w := permit.Work{Region: apptest.Region, Occupation: "5221"}
	el, err := e.App.Permits.CheckSelf(ctx, cab, w, unit, sys)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(codes(el.Refusals), []string{"no_cell_room"}) {
		t.Fatalf("no ledger: %v", codes(el.Refusals))
	}
	year := quota.ThisYear(e.App.Kit.Now())
	if err := e.App.Quotas.SetQuota(ctx, year, apptest.Region, "5", 1, sys); err != nil {
		t.Fatal(err)
	}
	if el, _ = e.App.Permits.CheckSelf(ctx, cab, w, unit, sys); !el.Eligible() || el.CellLeft != 1 || el.Holder.Number != "AA0000007" {
		t.Fatalf("with a ledger: %+v", el)
	}
	id, err := e.App.Permits.Start(ctx, cab, "", "", w, unit, sys)
	if err != nil {
		t.Fatal(err)
	}
	from := permit.Today(e.App.Kit.Now())
	d, _ := time.Parse(time.DateOnly, from)
	if err := e.App.Permits.Save(ctx, fie, id, permit.Details{Workplace: "Bishkek, market 5", Salary: 30000, PeriodFrom: from, PeriodTo: d.AddDate(0, 4, 0).Format(time.DateOnly)}, sys); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Permits.Submit(ctx, fie, id, sys); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("without a document: %v", err)
	}
	if _, err := e.App.Documents.AddToCase(ctx, fie, id, "patent.pdf", "application/pdf", strings.NewReader(string(apptest.PDF)), sys); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Permits.Submit(ctx, fie, id, sys); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Permits.Approve(ctx, id, sys); err != nil {
		t.Fatal(err)
	}
	cells, _ := e.App.Quotas.Cells(ctx, year)
	for _, c := range cells {
		if c.Region == apptest.Region && c.MajorGroup == "5" && c.Remaining() != 0 {
			t.Fatalf("cell after the FIE's permit: %+v", c)
		}
	}
	// The commission can no longer approve from the used-up cell.
	if err := e.App.Quotas.SetQuota(ctx, year, apptest.Region, "5", 0, sys); apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("quota below the units used: %v", err)
	}
}

// TestConcurrentApprovals: 100 approvals at once on one employer's row
// of 7, by two instances of the portal on one database: exactly 7 pass,
// the rest are told the quota is used up, and nothing else changes.
func TestConcurrentApprovals(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
		const approved, tries = 7, 100
		row := e.ApprovedQuota(emp, "UZ", "7112", tries) // room to apply for all of them
		var ids []int64
		for i := range tries {
			ids = append(ids, e.SubmittedPermit(emp, "UZ", eligible(i), row))
		}
		// Now the row allows only 7.
		if _, err := e.DB.Exec(ctx, `UPDATE quota_rows SET approved = $1 WHERE id = $2`, approved, row); err != nil {
			t.Fatal(err)
		}
		twin := e.Twin()
		var wg sync.WaitGroup
		errs := make([]error, tries)
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				svc := e.App.Permits
				if i%2 == 1 {
					svc = twin.App.Permits
				}
				errs[i] = svc.Approve(ctx, id, sys)
			}()
		}
		wg.Wait()
		ok, exhausted := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case isKey(err, "permit.no_quota_left"):
				exhausted++
			default:
				t.Errorf("approval: %v", err)
			}
		}
		var used, statuses int
		if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM quota_uses WHERE row_id = $1`, row).Scan(&used); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM cases WHERE service = 'permit' AND status = $1`, permit.Approved).Scan(&statuses); err != nil {
			t.Fatal(err)
		}
		if ok != approved || exhausted != tries-approved || used != approved || statuses != approved {
			t.Fatalf("approved %d, refused %d, units used %d, cases approved %d; want %d/%d/%d/%d", ok, exhausted, used, statuses,
				approved, tries-approved, approved, approved)
		}
		var submitted int
		if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM cases WHERE service = 'permit' AND status = $1`, casework.Submitted).Scan(&submitted); err != nil || submitted != tries-approved {
			t.Fatalf("still submitted %d %v", submitted, err)
		}
	})
}

func isKey(err error, key string) bool {
	e, ok := apperr.As(err)
	return ok && e.Key == key
}

// eligible is the i-th eligible person of the demo registry from Uzbekistan.
func eligible(i int) string {
	n := 10*(i/5) + []int{6, 7, 8, 9, 10}[i%5]
	return "AA" + pad(n)
}

func pad(n int) string {
	s := itoa(int64(n))
	return strings.Repeat("0", 7-len(s)) + s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mustCab(t *testing.T, e *apptest.Env, id int64) *account.Cabinet {
	c, err := account.ByID(t.Context(), e.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStartTwice: a second "Continue" for the same person goes on with
// the draft instead of starting another.
func TestStartTwice(t *testing.T) {
	e := apptest.New(t, "sqlite")
	emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
	e.ApprovedQuota(emp, "UZ", "7112", 1)
	cab := mustCab(t, e, emp)
	first, err := e.App.Permits.Start(t.Context(), cab, "UZ", "AA0000006", permit.Work{}, nil, sys)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.App.Permits.Start(t.Context(), cab, "UZ", "aa0000006", permit.Work{}, nil, sys)
	if err != nil || second != first {
		t.Fatalf("second start: %d %v, want %d", second, err, first)
	}
}

// TestReminders: the window's opening and its last week are each told
// once, however often the sweep runs.
func TestReminders(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := t.Context()
	emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
	id := e.SubmittedPermit(emp, "UZ", "AA0000006", e.ApprovedQuota(emp, "UZ", "7112", 1))
	if err := e.App.Permits.Approve(ctx, id, sys); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Permits.Issue(ctx, id, sys); err != nil {
		t.Fatal(err)
	}
	a, _ := e.App.Permits.ByCase(ctx, e.DB, id)
	until, _ := time.Parse(time.DateOnly, a.ValidUntil)
	today, _ := time.Parse(time.DateOnly, permit.Today(e.App.Kit.Now()))
	queued := func(template string) int {
		var n int
		if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = 'send_mail' AND CAST(args AS TEXT) LIKE $1`, "%"+template+"%").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	sweep := func() {
		for range 2 {
			if err := e.App.Permits.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	sweep()
	if queued("permit_extension_open") != 0 {
		t.Fatal("window email months before it opens")
	}
	e.Advance(until.Sub(today) - 50*24*time.Hour)
	sweep()
	if o, c := queued("permit_extension_open"), queued("permit_extension_closing"); o != 1 || c != 0 {
		t.Fatalf("50 days before the end: %d opening, %d closing emails", o, c)
	}
	e.Advance(15 * 24 * time.Hour) // 35 days before the end: the window closes in 5 days
	sweep()
	if o, c := queued("permit_extension_open"), queued("permit_extension_closing"); o != 1 || c != 1 {
		t.Fatalf("35 days before the end: %d opening, %d closing emails", o, c)
	}
	e.Outbox("emp@example.test", "One week left to ask for a permit extension")
}

// TestReviewFindings covers what an independent review found: the year of
// the quota, an entrepreneur changing its work, an approval never issued,
// a revocation with an extension waiting, the queue's age filter, and a
// registry answer with a country the portal does not know.
func TestReviewFindings(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := t.Context()
	emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
	row := e.ApprovedQuota(emp, "UZ", "7112", 3)
	today := permit.Today(e.App.Kit.Now())
	d, _ := time.Parse(time.DateOnly, today)

	// A start in another year than the quota row's is refused at the field.
	id := e.PermitDraft(emp, "UZ", "AA0000006", row)
	next := time.Date(d.Year()+1, 2, 1, 0, 0, 0, 0, time.UTC)
	err := e.App.Permits.Save(ctx, emp, id, permit.Details{QuotaRowID: row, Workplace: "Bishkek 1", Salary: 1,
		PeriodFrom: next.Format(time.DateOnly), PeriodTo: next.AddDate(0, 4, 0).Format(time.DateOnly)}, sys)
	if ae, ok := apperr.As(err); !ok || ae.Fields["period_from"].Key != "permit.period_year" {
		t.Errorf("a start next year on this year's quota: %v", err)
	}

	// An approval never issued expires when its period is over, and frees the person.
	if err := e.App.Permits.Submit(ctx, emp, id, sys); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Permits.Approve(ctx, id, sys); err != nil {
		t.Fatal(err)
	}
	// The queue's age filter: submitted just now is not older than an hour.
	if apps, err := e.App.Permits.Queue(ctx, permit.QueueFilter{OlderThan: e.App.Kit.Now().Add(-time.Hour)}); err != nil || len(apps) != 0 {
		t.Errorf("older than an hour: %d %v", len(apps), err)
	}
	if apps, err := e.App.Permits.Queue(ctx, permit.QueueFilter{OlderThan: e.App.Kit.Now().Add(time.Hour)}); err != nil || len(apps) != 1 {
		t.Errorf("older than in an hour: %d %v", len(apps), err)
	}
	e.Advance(7 * 31 * 24 * time.Hour)
	if err := e.App.Permits.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if a, _ := e.App.Permits.ByCase(ctx, e.DB, id); a.Case.Status != permit.Expired {
		t.Errorf("approved, never issued, period over: %s", a.Case.Status)
	}

	// An entrepreneur who checks another occupation continues with that one.
	fie := e.NewCabinet(account.FIE, "fie@example.test", account.Active)
	cab := mustCab(t, e, fie)
	year := quota.ThisYear(e.App.Kit.Now())
	for _, g := range []string{"5", "7"} {
		if err := e.App.Quotas.SetQuota(ctx, year, apptest.Region, g, 5, sys); err != nil {
			t.Fatal(err)
		}
	}
	unit := func(code string) bool { return e.App.Occupations.ByCode(code) != nil }
	first, err := e.App.Permits.Start(ctx, cab, "", "", permit.Work{Region: apptest.Region, Occupation: "5221"}, unit, sys)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.App.Permits.Start(ctx, cab, "", "", permit.Work{Region: apptest.Region, Occupation: "7112"}, unit, sys)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := e.App.Permits.ByCase(ctx, e.DB, second); second == first || a.Occupation != "7112" {
		t.Errorf("second check for 7112 continued with draft %d (%s)", second, a.Occupation)
	}
}

// TestRevocationClosesExtension: an extension waiting on a permit that is
// revoked is withdrawn with it.
func TestRevocationClosesExtension(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := t.Context()
	emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
	id := e.SubmittedPermit(emp, "UZ", "AA0000006", e.ApprovedQuota(emp, "UZ", "7112", 1))
	if err := e.App.Permits.Approve(ctx, id, sys); err != nil {
		t.Fatal(err)
	}
	if err := e.App.Permits.Issue(ctx, id, sys); err != nil {
		t.Fatal(err)
	}
	a, _ := e.App.Permits.ByCase(ctx, e.DB, id)
	until, _ := time.Parse(time.DateOnly, a.ValidUntil)
	today, _ := time.Parse(time.DateOnly, permit.Today(e.App.Kit.Now()))
	e.Advance(until.Sub(today) - 40*24*time.Hour)
	xid, err := e.App.Permits.RequestExtension(ctx, emp, id, until.AddDate(0, 2, 0).Format(time.DateOnly), "", sys)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.App.Permits.Revoke(ctx, id, "violation", "", sys); err != nil {
		t.Fatal(err)
	}
	x, err := e.App.Permits.ExtensionByCase(ctx, e.DB, xid)
	if err != nil || x.Case.Status != casework.Withdrawn {
		t.Fatalf("extension after revocation: %+v %v", x, err)
	}
}

// TestRegistryUnknownCountry: an answer naming a country the portal does
// not know is not filed: the look-up is unavailable, nothing starts.
func TestRegistryUnknownCountry(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"country":"UZ","number":"AA0000006","surname":"X","birth_date":"1990-01-01","citizenship":"XX","expires_on":"2035-01-01","bans":[],"permits":[]}`))
	}))
	defer srv.Close()
	e := apptest.New(t, "sqlite", func(c *config.Config) { c.PassportRegistryURL = srv.URL })
	cab := mustCab(t, e, e.NewCabinet(account.Employer, "emp@example.test", account.Active))
	if _, err := e.App.Permits.Search(t.Context(), cab, "UZ", "AA0000006", sys); apperr.KindOf(err) != apperr.Unavailable {
		t.Fatalf("unknown citizenship: %v", err)
	}
}

// TestSearchThrottled: a cabinet past its allowance of searches is told
// to wait, and the registry is not asked.
func TestSearchThrottled(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := t.Context()
	emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
	now := e.App.Kit.Now().UTC()
	if _, err := e.DB.Exec(ctx, `INSERT INTO throttles (key, failures, last_failure_at, blocked_until) VALUES ($1, $2, $3, $4)`,
		"permit_search:"+itoa(emp), permit.SearchPolicy.Free+1, now, now.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	c := e.Client()
	if r := c.Login("emp@example.test", apptest.Password); r.Status != http.StatusSeeOther {
		t.Fatal(r.Status)
	}
	r := c.Post("/cabinet/permits/search", url.Values{"country": {"UZ"}, "number": {"AA0000006"}})
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Wait 30 seconds") || !strings.Contains(r.Body, `value="AA0000006"`) {
		t.Fatalf("throttled search: %d\n%s", r.Status, r.Body)
	}
	var n int
	if err := e.DB.QueryRow(ctx, `SELECT COUNT(*) FROM registry_lookups`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("look-ups while throttled: %d %v", n, err)
	}
}
