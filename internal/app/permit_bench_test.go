package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/dbtest"
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
