package main

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// step is a kind of request the tool measures.
type step int

const (
	stepSubmit step = iota
	stepQueue
	stepVerify
	stepForm
	stepArchive
	stepCase
	stepDecide
	numSteps
)

var stepNames = [numSteps]string{"submit", "queue", "verify", "form", "archive", "case", "decide"}

// series is one step's measurements by one virtual user, or merged.
type series struct {
	requests int
	lat      []time.Duration // of the requests that got a whole response
	errs     map[string]int  // by kind; nil until the first
}

// recorder keeps one virtual user's measurements. Only requests that
// start after the warm-up and finish before the deadline count, so every
// counted request lies inside the measured window.
type recorder struct {
	from, to time.Time
	steps    [numSteps]series
}

// newRecorder preallocates room for capacity latencies of each step the
// user will make, so that recording does not allocate while the clock runs.
func newRecorder(from, to time.Time, capacity int, used []step) *recorder {
	r := &recorder{from: from, to: to}
	for _, s := range used {
		r.steps[s].lat = make([]time.Duration, 0, capacity)
	}
	return r
}

// add records a request begun at start that took took; kind is "" for a
// success, else what went wrong. A request that got no response (a
// network error) counts but has no latency.
func (r *recorder) add(s step, start time.Time, took time.Duration, responded bool, kind string) {
	if start.Before(r.from) || start.Add(took).After(r.to) {
		return
	}
	x := &r.steps[s]
	x.requests++
	if responded {
		x.lat = append(x.lat, took)
	}
	if kind != "" {
		x.fail(kind, 1)
	}
}

// fail records an error of a step that made no request (no case to open).
func (r *recorder) fail(s step, at time.Time, kind string) {
	if at.Before(r.from) || at.After(r.to) {
		return
	}
	r.steps[s].fail(kind, 1)
}

func (x *series) fail(kind string, n int) {
	if x.errs == nil {
		x.errs = map[string]int{}
	}
	x.errs[kind] += n
}

// merge adds up the virtual users' measurements, step by step.
func merge(recs []*recorder) [numSteps]series {
	var all [numSteps]series
	for s := range numSteps {
		n := 0
		for _, r := range recs {
			n += len(r.steps[s].lat)
		}
		all[s].lat = make([]time.Duration, 0, n)
		for _, r := range recs {
			x := r.steps[s]
			all[s].requests += x.requests
			all[s].lat = append(all[s].lat, x.lat...)
			for k, v := range x.errs {
				all[s].fail(k, v)
			}
		}
	}
	return all
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of sorted
// latencies: the smallest value with at least p % of them at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(k, 1), len(sorted))-1]
}

// stepResult is what the tables and the JSON file say of one step.
type stepResult struct {
	Step     string         `json:"step"`
	Requests int            `json:"requests"`
	RPS      float64        `json:"req_per_s"`
	P50      float64        `json:"p50_ms"`
	P95      float64        `json:"p95_ms"`
	P99      float64        `json:"p99_ms"`
	Errors   int            `json:"errors"`
	Kinds    map[string]int `json:"error_kinds,omitempty"`
}

// summarize sorts x's latencies in place and reads them.
func summarize(name string, x series, seconds float64) stepResult {
	slices.Sort(x.lat)
	r := stepResult{Step: name, Requests: x.requests, RPS: float64(x.requests) / seconds, Kinds: x.errs,
		P50: ms(percentile(x.lat, 50)), P95: ms(percentile(x.lat, 95)), P99: ms(percentile(x.lat, 99))}
	for _, n := range x.errs {
		r.Errors += n
	}
	return r
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }

// usage is what a process spent during a phase; nil where unknown.
type usage struct {
	PID             int      `json:"pid,omitempty"`
	CPUMsPerRequest *float64 `json:"cpu_ms_per_request"`
	PeakRSSMB       *float64 `json:"peak_rss_mb"`        // VmHWM at the end, else the sampled maximum
	SampledRSSMB    *float64 `json:"max_sampled_rss_mb"` // the largest VmRSS seen every 500 ms
	ToolCPUMs       float64  `json:"load_tool_cpu_ms_per_request"`
}

// phaseResult is one phase against one server.
type phaseResult struct {
	Phase    string       `json:"phase"`
	Target   string       `json:"target"` // portal or ceiling
	Users    int          `json:"users"`
	Seconds  float64      `json:"seconds"`
	Steps    []stepResult `json:"steps"`
	Total    stepResult   `json:"total"` // every step together
	Server   usage        `json:"server"`
	Skipped  string       `json:"skipped,omitempty"`
	Warnings []string     `json:"warnings,omitempty"`
}

func (p *phaseResult) title() string {
	if p.Target == "ceiling" {
		return p.Phase + " (ceiling)"
	}
	return p.Phase
}

// errorText is "0", or the count and its kinds, most frequent first.
func errorText(r stepResult) string {
	if r.Errors == 0 {
		return "0"
	}
	kinds := make([]string, 0, len(r.Kinds))
	for k := range r.Kinds {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b string) int {
		return cmp.Or(cmp.Compare(r.Kinds[b], r.Kinds[a]), strings.Compare(a, b))
	})
	for i, k := range kinds {
		kinds[i] = fmt.Sprintf("%s ×%d", k, r.Kinds[k])
	}
	return fmt.Sprintf("%d (%s)", r.Errors, strings.Join(kinds, ", "))
}

// printPhase writes a phase's table and its server line.
func printPhase(w io.Writer, p *phaseResult) {
	if p.Skipped != "" {
		fmt.Fprintf(w, "\nphase %s: skipped (%s)\n", p.title(), p.Skipped)
		return
	}
	fmt.Fprintf(w, "\nphase %s: %d users, %s\n", p.title(), p.Users, time.Duration(p.Seconds*float64(time.Second)))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "step\trequests\treq/s\tp50 ms\tp95 ms\tp99 ms\terrors")
	for _, s := range p.Steps {
		fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%s\n", s.Step, s.Requests, s.RPS, s.P50, s.P95, s.P99, errorText(s))
	}
	tw.Flush()
	for _, m := range p.Warnings {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
	fmt.Fprintf(w, "server: CPU %s, peak RSS %s", num(p.Server.CPUMsPerRequest, 2, " ms/request"), num(p.Server.PeakRSSMB, 0, " MB"))
	if p.Server.PID == 0 {
		fmt.Fprint(w, " (no -pid)")
	}
	if p.Server.SampledRSSMB != nil && p.Server.PeakRSSMB != nil && *p.Server.SampledRSSMB != *p.Server.PeakRSSMB {
		fmt.Fprintf(w, " (largest RSS sampled in this phase %s)", num(p.Server.SampledRSSMB, 0, " MB"))
	}
	fmt.Fprintf(w, "\nload tool: CPU %.2f ms/request (it shares the cores with the server)\n", p.Server.ToolCPUMs)
}

// num formats a figure that may be unknown.
func num(v *float64, prec int, unit string) string {
	if v == nil {
		return "unknown"
	}
	return fmt.Sprintf("%.*f%s", prec, *v, unit)
}

// comparison is the portal against the ceiling in one phase.
type comparison struct {
	Phase      string  `json:"phase"`
	RPSRatio   float64 `json:"req_per_s_portal_over_ceiling"`
	PortalP99  float64 `json:"portal_p99_ms"`
	CeilingP99 float64 `json:"ceiling_p99_ms"`
}

func compare(results []*phaseResult) []comparison {
	var out []comparison
	for _, p := range results {
		if p.Target != "portal" || p.Skipped != "" {
			continue
		}
		for _, c := range results {
			if c.Target == "ceiling" && c.Phase == p.Phase && c.Skipped == "" && c.Total.RPS > 0 {
				out = append(out, comparison{Phase: p.Phase, RPSRatio: math.Round(p.Total.RPS/c.Total.RPS*1000) / 1000,
					PortalP99: p.Total.P99, CeilingP99: c.Total.P99})
			}
		}
	}
	return out
}

// printSummary writes one line per phase and the comparisons.
func printSummary(w io.Writer, results []*phaseResult, cmps []comparison) {
	fmt.Fprintln(w, "\nsummary")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "phase\tusers\trequests\treq/s\tp99 ms\terrors\tserver CPU ms/req\tpeak RSS MB")
	for _, p := range results {
		if p.Skipped != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\n", p.title())
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.1f\t%.1f\t%d\t%s\t%s\n", p.title(), p.Users, p.Total.Requests, p.Total.RPS, p.Total.P99,
			p.Total.Errors, num(p.Server.CPUMsPerRequest, 2, ""), num(p.Server.PeakRSSMB, 0, ""))
	}
	tw.Flush()
	for _, c := range cmps {
		fmt.Fprintf(w, "portal/ceiling %s: req/s ×%.3f, p99 %.1f ms vs %.1f ms\n", c.Phase, c.RPSRatio, c.PortalP99, c.CeilingP99)
	}
}
