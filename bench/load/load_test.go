package main

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestPercentile(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		d := make([]time.Duration, len(v))
		for i, x := range v {
			d[i] = time.Duration(x) * time.Millisecond
		}
		return d
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one", ms(7), 50, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of four is the largest", ms(1, 2, 3, 4), 99, 4 * time.Millisecond},
		{"p50 of 1..100", ms(hundred...), 50, 50 * time.Millisecond},
		{"p95 of 1..100", ms(hundred...), 95, 95 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 99, 99 * time.Millisecond},
		{"p100", ms(hundred...), 100, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := percentile(tt.sorted, tt.p); got != tt.want {
				t.Errorf("percentile(%v) = %v, want %v", tt.p, got, tt.want)
			}
		})
	}
}

// TestRecordMergeSummarize follows two users' requests from recording to
// the table's figures: the warm-up and what ends after the deadline do
// not count, network errors count without a latency.
func TestRecordMergeSummarize(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	from, to := t0.Add(2*time.Second), t0.Add(12*time.Second)
	a := newRecorder(from, to, 4, []step{stepSubmit})
	b := newRecorder(from, to, 4, []step{stepSubmit})
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

	a.add(stepSubmit, at(1), 10*time.Millisecond, true, "") // warm-up
	a.add(stepSubmit, at(3), 10*time.Millisecond, true, "")
	a.add(stepSubmit, at(4), 30*time.Millisecond, true, "HTTP 409")
	b.add(stepSubmit, at(5), 20*time.Millisecond, true, "")
	b.add(stepSubmit, at(6), time.Millisecond, false, "refused")
	b.add(stepSubmit, at(11.99), 40*time.Millisecond, true, "") // ends after the deadline
	b.fail(stepCase, at(7), "no case link in the queue")

	all := merge([]*recorder{a, b})
	got := summarize("submit", all[stepSubmit], 10)
	want := stepResult{Step: "submit", Requests: 4, RPS: 0.4, P50: 20, P95: 30, P99: 30, Errors: 2,
		Kinds: map[string]int{"HTTP 409": 1, "refused": 1}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("summarize mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"no case link in the queue": 1}, all[stepCase].errs); diff != "" {
		t.Errorf("case errors mismatch (-want +got):\n%s", diff)
	}
	if got, want := errorText(got), "2 (HTTP 409 ×1, refused ×1)"; got != want {
		t.Errorf("errorText = %q, want %q", got, want)
	}
}

func TestEmployerList(t *testing.T) {
	got, err := employerList("seed-%d@demo.emgek.kg", "5-7,10")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"seed-5@demo.emgek.kg", "seed-6@demo.emgek.kg", "seed-7@demo.emgek.kg", "seed-10@demo.emgek.kg"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("employerList mismatch (-want +got):\n%s", diff)
	}
	if _, err := employerList("seed-%d@x", "9-1"); err == nil {
		t.Error("employerList accepted the range 9-1")
	}
}

// TestBodies: the tool asks for gzip as a browser does, unpacks the bodies
// it reads (twice on one user, its reader reused) and reads plain ones as
// they come.
func TestBodies(t *testing.T) {
	page := strings.Repeat(`<tr id="count">`, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" || r.URL.Path == "/plain" {
			_, _ = io.WriteString(w, page)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		z := gzip.NewWriter(w)
		_, _ = io.WriteString(z, page)
		_ = z.Close()
	}))
	defer srv.Close()
	u := newUser(newTransport(1), srv.URL)
	for _, path := range []string{"/gz", "/gz", "/plain"} {
		if r := u.send(http.MethodGet, srv.URL+path, "", true); r.err != nil || u.buf.String() != page {
			t.Fatalf("%s: %v, body %.40q…", path, r.err, u.buf.String())
		}
	}
}
