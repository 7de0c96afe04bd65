package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/dbtest"
	"github.com/emgek/emgek/internal/quota"
)

// BenchmarkPermitSearch measures an employer's Search through the whole
// portal: session, CSRF check, the registry look-up (demo), its audited
// record, the eligibility checks and the page; 16 logged-in clients.
//
//	go test ./internal/app -run '^$' -bench PermitSearch -benchtime 10s
func BenchmarkPermitSearch(b *testing.B) {
	for _, dialect := range dbtest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			e := apptest.New(b, dialect)
			const clients = 32 // each far below the searches a cabinet may make in a row
			var pool []*apptest.Client
			for i := range clients {
				email := fmt.Sprintf("bench-%d@example.test", i)
				id := e.NewCabinet(account.Employer, email, account.Active)
				e.ApprovedQuota(id, "UZ", "7112", 5)
				c := e.Client()
				if r := c.Login(email, apptest.Password); r.Status != http.StatusSeeOther {
					b.Fatal(r.Status)
				}
				pool = append(pool, c)
			}
			var lat latencies
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					number := fmt.Sprintf("AA%07d", 1+i%1000) // all categories, eligible or not
					start := time.Now()
					r := pool[i%clients].Post("/cabinet/permits/search", url.Values{"country": {"UZ"}, "number": {number}})
					lat.add(time.Since(start))
					if r.Status != http.StatusOK || !strings.Contains(r.Body, number) {
						b.Fatalf("search %s: %d", number, r.Status)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "searches/s")
			lat.report(b, "search")
		})
	}
}

// BenchmarkVerifyPermit measures the public page a permit's QR code
// opens: token check, the permit's state, the audit row of the check.
//
//	go test ./internal/app -run '^$' -bench VerifyPermit -benchtime 10s
func BenchmarkVerifyPermit(b *testing.B) {
	for _, dialect := range dbtest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			e := apptest.New(b, dialect)
			ctx, by := b.Context(), audit.Event{Actor: "staff:1"}
			emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
			id := e.SubmittedPermit(emp, "UZ", "AA0000006", e.ApprovedQuota(emp, "UZ", "7112", 1))
			if err := e.App.Permits.Approve(ctx, id, by); err != nil {
				b.Fatal(err)
			}
			if err := e.App.Permits.Issue(ctx, id, by); err != nil {
				b.Fatal(err)
			}
			c := e.Client()
			if r := c.Login("emp@example.test", apptest.Password); r.Status != http.StatusSeeOther {
				b.Fatal(r.Status)
			}
			if r := c.Get(fmt.Sprintf("/cabinet/permits/%d/permit.pdf", id)); r.Status != http.StatusOK {
				b.Fatal(r.Status)
			}
			var doc int64
			if err := e.DB.QueryRow(ctx, `SELECT id FROM issued_documents WHERE case_id = $1`, id).Scan(&doc); err != nil {
				b.Fatal(err)
			}
			path := "/verify/" + e.App.Issuer.Signer.Token(doc)
			var lat latencies
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				c := e.Client()
				for pb.Next() {
					start := time.Now()
					r := c.Get(path)
					lat.add(time.Since(start))
					if r.Status != http.StatusOK {
						b.Fatalf("verify: %d", r.Status)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checks/s")
			lat.report(b, "verify")
		})
	}
}

// BenchmarkQuotaSend measures the portal's application submit: an
// employer's quota form (15 fields) sent in one request — session,
// cross-origin check, validation, one transaction with the case, its
// rows, number, due date, audit row and the confirmation email's job.
//
//	go test ./internal/app -run '^$' -bench QuotaSend -benchtime 10s
func BenchmarkQuotaSend(b *testing.B) {
	for _, dialect := range dbtest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			e := apptest.New(b, dialect)
			const clients = 32
			var pool []*apptest.Client
			for i := range clients {
				email := fmt.Sprintf("send-%d@example.test", i)
				e.NewCabinet(account.Employer, email, account.Active)
				c := e.Client()
				if r := c.Login(email, apptest.Password); r.Status != http.StatusSeeOther {
					b.Fatal(r.Status)
				}
				pool = append(pool, c)
			}
			year := strconv.Itoa(quota.ThisYear(e.App.Kit.Now()))
			form := url.Values{"action": {"send"}, "year": {year}, "region": {apptest.Region}}
			for i, r := range [][2]string{{"UZ", "7112"}, {"TJ", "7115"}, {"CN", "9313"}} {
				p := "rows-" + strconv.Itoa(i) + "-"
				form.Set(p+"country", r[0])
				form.Set(p+"occupation", r[1])
				form.Set(p+"requested", "2")
				form.Set(p+"justification", "Benchmark")
			}
			var lat latencies
			var n atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c := pool[n.Add(1)%clients]
					start := time.Now()
					r := c.Post("/cabinet/quota/new", form)
					lat.add(time.Since(start))
					if r.Status != http.StatusSeeOther {
						b.Fatalf("send: %d %s", r.Status, r.Body)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sends/s")
			lat.report(b, "send")
		})
	}
}

// BenchmarkInbox measures the operators' inbox page (50 submitted quota
// applications, newest first, with the capped count) over a few thousand
// cases; bench/load measures it over a million.
//
//	go test ./internal/app -run '^$' -bench Inbox -benchtime 10s
func BenchmarkInbox(b *testing.B) {
	for _, dialect := range dbtest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			e := apptest.New(b, dialect)
			emp := e.NewCabinet(account.Employer, "emp@example.test", account.Active)
			now := e.App.Kit.Now().UTC()
			for lo := 0; lo < 5000; lo += 500 {
				var rows []string
				var args []any
				for i := lo; i < lo+500; i++ {
					t := now.Add(-time.Duration(i) * time.Minute)
					args = append(args, fmt.Sprintf("Q-B-%07d", i), emp, t)
					k := len(args)
					rows = append(rows, fmt.Sprintf("($%d, 'quota', $%d, 'submitted', $%d, $%d, $%d, $%d)", k-2, k-1, k, k, k, k))
				}
				if _, err := e.DB.Exec(b.Context(), `INSERT INTO cases (number, service, cabinet_id, status, created_at, submitted_at, due_at, updated_at) VALUES `+
					strings.Join(rows, ", "), args...); err != nil {
					b.Fatal(err)
				}
			}
			email, pw := e.NewStaff("operator")
			var pool []*apptest.Client
			for range 16 {
				c := e.Client()
				e.LoginStaff(c, email, pw)
				pool = append(pool, c)
			}
			var lat latencies
			var n atomic.Int64
			b.SetParallelism(8)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c := pool[n.Add(1)%16]
					start := time.Now()
					r := c.Get("/office/inbox?service=quota&status=submitted&sort=newest")
					lat.add(time.Since(start))
					if r.Status != http.StatusOK {
						b.Fatalf("inbox: %d", r.Status)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
			lat.report(b, "inbox")
		})
	}
}
