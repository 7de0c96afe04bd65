package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/dbtest"
)

// latencies collects request durations from parallel goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) report(b *testing.B, name string) {
	slices.Sort(l.d)
	if len(l.d) == 0 {
		return
	}
	q := func(p float64) float64 { return float64(l.d[int(float64(len(l.d)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), name+"-p50-ms")
	b.ReportMetric(q(0.99), name+"-p99-ms")
}

// BenchmarkLogin measures logins (argon2id, session rotation) per second
// and their latency, with as many clients as GOMAXPROCS×4.
//
//	go test ./internal/app -run '^$' -bench Login -benchtime 10s
func BenchmarkLogin(b *testing.B) {
	for _, dialect := range dbtest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			e := apptest.New(b, dialect)
			const users = 16
			for i := range users {
				benchCabinet(b, e, fmt.Sprintf("bench-%d@example.test", i))
			}
			var lat latencies
			var n atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					c := e.Client()
					start := time.Now()
					r := c.Login(fmt.Sprintf("bench-%d@example.test", i%users), apptest.Password)
					lat.add(time.Since(start))
					if r.Status != http.StatusSeeOther {
						b.Fatalf("login: %d", r.Status)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "logins/s")
			lat.report(b, "login")
		})
	}
}

// BenchmarkRegister measures whole registrations (choose the kind with the
// anti-bot code, open the form, send it with a document) per second, and
// the latency of the final submit.
//
//	go test ./internal/app -run '^$' -bench Register -benchtime 10s
func BenchmarkRegister(b *testing.B) {
	for _, dialect := range dbtest.Dialects(b) {
		b.Run(string(dialect), func(b *testing.B) {
			e := apptest.New(b, dialect)
			var lat latencies
			var n atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c := e.Client()
					form := e.StartRegistration(c, "employer")
					fields := append([][2]string{{"draft", apptest.HiddenValue(form.Body, "draft")}},
						apptest.EmployerFields(fmt.Sprintf("reg-%d@example.test", n.Add(1)))...)
					start := time.Now()
					r := c.PostMultipart("/register/employer", fields, []apptest.File{{Field: "registration_certificate", Name: "c.pdf", Content: apptest.PDF}})
					lat.add(time.Since(start))
					if r.Status != http.StatusSeeOther {
						b.Fatalf("register: %d", r.Status)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
			lat.report(b, "submit")
		})
	}
}

func benchCabinet(b *testing.B, e *apptest.Env, email string) {
	b.Helper()
	e.SubmitEmployer(e.Client(), email)
	if _, err := e.DB.Exec(b.Context(), `UPDATE cabinets SET status = 'active' WHERE email = $1`, email); err != nil {
		b.Fatal(err)
	}
}
