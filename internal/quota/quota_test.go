package quota_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
	"github.com/emgek/emgek/internal/quota"
)

func setup(t testing.TB, d *db.DB) (cabinet, staff int64) {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC()
	if err := d.WriteRow(ctx, `INSERT INTO cabinets (kind, status, email, password_hash, phone, lang, created_at, password_changed_at)
		VALUES ('employer', 'active', 'quota@example.test', '', '+996555000000', 'ru', $1, $1) RETURNING id`, now).Scan(&cabinet); err != nil {
		t.Fatal(err)
	}
	if err := d.WriteRow(ctx, `INSERT INTO staff (email, name, role, created_at) VALUES ('op@example.test', 'Op', 'operator', $1) RETURNING id`, now).Scan(&staff); err != nil {
		t.Fatal(err)
	}
	return cabinet, staff
}

var by = audit.Event{Actor: "test"}

func application(t testing.TB, s *quota.Service, cabinet int64, rows ...quota.Row) int64 {
	t.Helper()
	id, err := s.Apply(t.Context(), cabinet, 2026, "KG-GB", rows, by)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Submit(t.Context(), cabinet, id, by); err != nil {
		t.Fatal(err)
	}
	return id
}

var protocol = quota.Protocol{Number: "7/2026", Date: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}

// TestQuotaInvariant: 200 approvals of one unit at once against a cell of
// 10 end with exactly 10 approved; the rest are refused with the figures
// and stay as they were. On PostgreSQL the deciders use two separate
// pools, as two instances of the portal would: only the database can
// keep the invariant.
func TestQuotaInvariant(t *testing.T) {
	for _, dialect := range dbtest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			url := dbtest.URL(t, dialect)
			first, err := db.Open(t.Context(), url)
			if err != nil {
				t.Fatal(err)
			}
			defer first.Close()
			if err := first.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			instances := []*quota.Service{{DB: first, Now: time.Now}}
			if dialect == db.Postgres {
				second, err := db.Open(t.Context(), url)
				if err != nil {
					t.Fatal(err)
				}
				defer second.Close()
				instances = append(instances, &quota.Service{DB: second, Now: time.Now})
			}
			s := instances[0]
			cabinet, staff := setup(t, first)
			if err := s.SetQuota(t.Context(), 2026, "KG-GB", "7", 10, by); err != nil {
				t.Fatal(err)
			}
			const n = 200
			ids := make([]int64, n)
			rowIDs := make([]int64, n)
			for i := range n {
				ids[i] = application(t, s, cabinet, quota.Row{Country: "UZ", Occupation: "7112", Requested: 1})
				a, err := s.ByCase(t.Context(), first, ids[i])
				if err != nil {
					t.Fatal(err)
				}
				rowIDs[i] = a.Rows[0].ID
			}
			var mu sync.Mutex
			approved, refused := 0, 0
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					svc := instances[i%len(instances)]
					err := svc.Decide(t.Context(), ids[i], staff, []quota.Decision{{RowID: rowIDs[i], Approved: 1}}, protocol, by)
					mu.Lock()
					defer mu.Unlock()
					e, ok := apperr.As(err)
					switch {
					case err == nil:
						approved++
					case ok && e.Key == "quota.exceeded" && e.Args["Remaining"] == 0:
						refused++
					default:
						t.Errorf("decision %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			if approved != 10 || refused != n-10 {
				t.Fatalf("%d approved, %d refused; want 10 and %d", approved, refused, n-10)
			}
			cells, err := s.Cells(t.Context(), 2026)
			if err != nil || len(cells) != 1 || cells[0].Approved != 10 || cells[0].Remaining() != 0 {
				t.Fatalf("cells %+v %v", cells, err)
			}
			var decided, untouched int
			if err := first.QueryRow(t.Context(), `SELECT count(*) FROM cases WHERE status = 'decided'`).Scan(&decided); err != nil {
				t.Fatal(err)
			}
			if err := first.QueryRow(t.Context(), `SELECT count(*) FROM cases c JOIN quota_rows r ON r.case_id = c.id
				WHERE c.status = 'submitted' AND r.approved IS NULL`).Scan(&untouched); err != nil {
				t.Fatal(err)
			}
			if decided != 10 || untouched != n-10 {
				t.Fatalf("%d decided, %d untouched; want 10 and %d", decided, untouched, n-10)
			}
		})
	}
}

func TestDecisionRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := &quota.Service{DB: d, Now: time.Now}
		cabinet, staff := setup(t, d)
		if err := s.SetQuota(t.Context(), 2026, "KG-GB", "7", 5, by); err != nil {
			t.Fatal(err)
		}
		if err := s.SetQuota(t.Context(), 2026, "KG-GB", "2", 100, by); err != nil {
			t.Fatal(err)
		}
		id := application(t, s, cabinet,
			quota.Row{Country: "UZ", Occupation: "7112", Requested: 4},
			quota.Row{Country: "TR", Occupation: "2512", Requested: 3},
			quota.Row{Country: "CN", Occupation: "7126", Requested: 2})
		a, _ := s.ByCase(t.Context(), d, id)
		r := a.Rows
		key := func(err error) string {
			if e, ok := apperr.As(err); ok {
				if len(e.Fields) > 0 {
					return fmt.Sprint(e.Fields.Names())
				}
				return e.Key
			}
			return fmt.Sprint(err)
		}
		// More than requested; a cut without a reason; over the cell.
		if err := s.Decide(t.Context(), id, staff, []quota.Decision{{r[0].ID, 5, ""}, {r[1].ID, 3, ""}, {r[2].ID, 2, ""}}, protocol, by); key(err) != "[rows-0-approved]" {
			t.Errorf("more than requested: %s", key(err))
		}
		if err := s.Decide(t.Context(), id, staff, []quota.Decision{{r[0].ID, 4, ""}, {r[1].ID, 1, ""}, {r[2].ID, 1, "other"}}, protocol, by); key(err) != "[rows-1-reason]" {
			t.Errorf("a cut without a reason: %s", key(err))
		}
		if err := s.Decide(t.Context(), id, staff, []quota.Decision{{r[0].ID, 4, ""}, {r[1].ID, 3, ""}, {r[2].ID, 2, ""}}, protocol, by); key(err) != "quota.exceeded" {
			t.Errorf("6 units of group 7 from a cell of 5: %s", key(err))
		}
		// Two fully, one partly: fits.
		if err := s.Decide(t.Context(), id, staff, []quota.Decision{{r[0].ID, 4, ""}, {r[1].ID, 3, ""}, {r[2].ID, 1, "quota_exhausted"}}, protocol, by); err != nil {
			t.Fatal(err)
		}
		a, _ = s.ByCase(t.Context(), d, id)
		if a.Case.Status != casework.Decided || *a.Rows[2].Approved != 1 || a.Rows[2].CutReason != "quota_exhausted" || a.ProtocolNumber != "7/2026" {
			t.Fatalf("after the decision: %+v %+v", a.Case, a.Rows)
		}
		if err := s.SetQuota(t.Context(), 2026, "KG-GB", "7", 4, by); key(err) != "[quota]" {
			t.Errorf("lowering the quota below the approved 5: %s", key(err))
		}
	})
}

// BenchmarkDecideContended measures decisions per second when every
// decision draws on the same cell (the worst case: they serialize on it).
//
//	go test ./internal/quota -run '^$' -bench Decide
func BenchmarkDecideContended(b *testing.B) {
	for _, dialect := range dbtest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect)
			s := &quota.Service{DB: d, Now: time.Now}
			cabinet, staff := setup(b, d)
			if err := s.SetQuota(b.Context(), 2026, "KG-GB", "7", 1_000_000, by); err != nil {
				b.Fatal(err)
			}
			type app struct{ id, row int64 }
			apps := make(chan app, b.N)
			for range b.N {
				id := application(b, s, cabinet, quota.Row{Country: "UZ", Occupation: "7112", Requested: 1})
				a, err := s.ByCase(b.Context(), d, id)
				if err != nil {
					b.Fatal(err)
				}
				apps <- app{id, a.Rows[0].ID}
			}
			close(apps)
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					x := <-apps
					if err := s.Decide(b.Context(), x.id, staff, []quota.Decision{{RowID: x.row, Approved: 1}}, protocol, by); err != nil {
						b.Error(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
		})
	}
}

func TestImportCSVAndQueue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := &quota.Service{DB: d, Now: time.Now}
		cabinet, _ := setup(t, d)
		n, err := s.ImportCSV(t.Context(), 2026, strings.NewReader("region,major_group,quota\nKG-GB,7,1200\nKG-O,2,300\n"), by)
		if err != nil || n != 2 {
			t.Fatalf("import: %d %v", n, err)
		}
		_, err = s.ImportCSV(t.Context(), 2026, strings.NewReader("KG-GB,7,5\nKG-XX,7,10\n"), by)
		if e, ok := apperr.As(err); !ok || e.Fields["file"].Args["Line"] != 2 {
			t.Fatalf("a bad second line: %v", err)
		}
		cells, _ := s.Cells(t.Context(), 2026)
		if len(cells) != 2 || cells[0].Quota != 1200 {
			t.Fatalf("after a refused import the ledger changed: %+v", cells)
		}
		a := application(t, s, cabinet, quota.Row{Country: "UZ", Occupation: "7112", Requested: 1})
		b, err := s.Apply(t.Context(), cabinet, 2026, "KG-O", []quota.Row{{Country: "UZ", Occupation: "2512", Requested: 1}}, by)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Submit(t.Context(), cabinet, b, by); err != nil {
			t.Fatal(err)
		}
		all, _ := s.Queue(t.Context(), quota.QueueFilter{})
		osh, _ := s.Queue(t.Context(), quota.QueueFilter{Region: "KG-O"})
		overdue, _ := s.Queue(t.Context(), quota.QueueFilter{Overdue: true})
		if len(all) != 2 || len(osh) != 1 || osh[0].Case.ID != b || len(overdue) != 0 {
			t.Fatalf("queue: all %d, Osh %d, overdue %d", len(all), len(osh), len(overdue))
		}
		if err := s.Withdraw(t.Context(), cabinet, a, by); err != nil {
			t.Fatal(err)
		}
		if all, _ := s.Queue(t.Context(), quota.QueueFilter{}); len(all) != 1 {
			t.Fatalf("a withdrawn application is still queued")
		}
		if err := s.Withdraw(t.Context(), cabinet+1, b, by); !apperr.IsNotFound(err) {
			t.Fatalf("another cabinet withdrawing: %v", err)
		}
	})
}

// TestImportWhileDeciding: imports listing cells in any order run beside
// decisions on the same cells without deadlocks.
func TestImportWhileDeciding(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := &quota.Service{DB: d, Now: time.Now}
		cabinet, staff := setup(t, d)
		if _, err := s.ImportCSV(t.Context(), 2026, strings.NewReader("KG-GB,7,100\nKG-GB,2,100\n"), by); err != nil {
			t.Fatal(err)
		}
		const n = 20
		type app struct{ id, r0, r1 int64 }
		apps := make([]app, n)
		for i := range apps {
			id := application(t, s, cabinet, quota.Row{Country: "UZ", Occupation: "7112", Requested: 1}, quota.Row{Country: "TR", Occupation: "2512", Requested: 1})
			a, _ := s.ByCase(t.Context(), d, id)
			apps[i] = app{id, a.Rows[0].ID, a.Rows[1].ID}
		}
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range n {
			wg.Go(func() {
				errs <- s.Decide(t.Context(), apps[i].id, staff, []quota.Decision{{RowID: apps[i].r0, Approved: 1}, {RowID: apps[i].r1, Approved: 1}}, protocol, by)
			})
			wg.Go(func() {
				csv := "KG-GB,7,100\nKG-GB,2,100\n"
				if i%2 == 0 {
					csv = "KG-GB,2,100\nKG-GB,7,100\n"
				}
				_, err := s.ImportCSV(t.Context(), 2026, strings.NewReader(csv), by)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent import/decision: %v", err)
			}
		}
	})
}
