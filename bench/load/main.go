// Command load drives a running Emgek server over HTTP with concurrent
// virtual users doing real journeys, and reports per step the requests,
// their rate, latency percentiles and errors by kind, and the server's CPU
// time per request and peak memory (from /proc, given its pid).
//
//	go run ./bench/load -url http://127.0.0.1:8080 -pid 1234 -duration 30s -conns 32
//
// Phases, each -duration long with -conns users after a 2-second warm-up
// that is not counted:
//
//	submit   employers send quota applications (POST /cabinet/quota/new)
//	queue    operators open the inbox of submitted quota applications
//	verify   anonymous checkers open verification addresses (-verify-urls)
//	journey  the mix: half employers (form, submit, archive), a quarter
//	         operators (queue, case, decide), a quarter checkers (verify)
//
// Every virtual user logs in once, before the clock starts, and keeps its
// cookies; every request carries the Origin header a browser would send.
// With -vs-ceiling ADDR the submit and queue phases run again against
// bench/ceiling, the same work without the portal around it, and the tool
// prints the ratios (docs/performance.md).
//
// The tool shares the machine's cores with the server, so it keeps its own
// work small: one keep-alive transport, bodies discarded unless read,
// latencies appended to slices allocated before the clock starts.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

const warmup = 2 * time.Second

// settleLimit bounds the wait for the server to be idle before a phase
// (settle): a million submissions' emails would take longer.
const settleLimit = 3 * time.Minute

var allPhases = []string{"submit", "queue", "verify", "journey"}

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	fl := flag.NewFlagSet("load", flag.ContinueOnError)
	baseURL := fl.String("url", "http://127.0.0.1:8080", "the server")
	pid := fl.Int("pid", 0, "the server's process id, for its CPU time and memory (optional)")
	duration := fl.Duration("duration", 30*time.Second, "how long each phase is measured, after a 2s warm-up")
	conns := fl.Int("conns", 32, "concurrent virtual users per phase")
	employers := fl.String("employers", "seed-%d@demo.emgek.kg", "employer logins: a comma list of e-mails, or a pattern with %d for -employer-ids")
	employerIDs := fl.String("employer-ids", "5-1000", "ids for the -employers pattern: 1-1000, or 5,7,20-40")
	password := fl.String("password", "demo-cabinet-password", "the employers' password")
	operator := fl.String("operator", "operator@demo.emgek.kg", "the operator's login")
	operatorPassword := fl.String("operator-password", "demo-operator-password", "the operator's password")
	verifyFile := fl.String("verify-urls", "", "a file of verification addresses, one a line (emgek demo writes <data>/seed-verify-urls.txt)")
	phaseList := fl.String("phases", strings.Join(allPhases, ","), "the phases to run, in order")
	ceilingAddr := fl.String("vs-ceiling", "", "host:port of a running bench/ceiling: run submit and queue against it too and compare")
	ceilingPID := fl.Int("ceiling-pid", 0, "the ceiling's process id (optional)")
	jsonFile := fl.String("json", "", "also write the figures to this JSON file")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fl.Args())
	}
	base := strings.TrimRight(*baseURL, "/")
	if u, err := url.Parse(base); err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Path != "" {
		return fmt.Errorf("-url %q: want http://host:port", *baseURL)
	}
	if *conns < 1 || *duration <= 0 {
		return errors.New("-conns and -duration must be positive")
	}
	phases, err := parsePhases(*phaseList)
	if err != nil {
		return err
	}
	emails, err := employerList(*employers, *employerIDs)
	if err != nil {
		return err
	}
	verify, err := verifyURLs(*verifyFile, base, out)
	if err != nil {
		return err
	}

	tr := newTransport(*conns)
	defer tr.CloseIdleConnections()
	if err := preflight(tr, base, out); err != nil {
		return err
	}
	if err := checkPID("server", pid, out); err != nil {
		return err
	}
	var ceiling *target
	if *ceilingAddr != "" {
		if err := checkPID("ceiling", ceilingPID, out); err != nil {
			return err
		}
		ceiling = ceilingTarget(*ceilingAddr, *ceilingPID)
		if err := reachable(tr, ceiling.queueURL); err != nil {
			return fmt.Errorf("the ceiling (-vs-ceiling) is not serving: %w", err)
		}
	}
	fmt.Fprintf(out, "%s: %d users per phase, %s per phase after a %s warm-up; phases %s\n",
		base, *conns, *duration, warmup, strings.Join(phases, ","))

	l := &load{tr: tr, conns: *conns, duration: *duration, warmup: warmup, form: quotaForm(thisYear()), verify: verify,
		acc: &accounts{tr: tr, base: base, log: out, employerEmails: emails, password: *password,
			operator: *operator, operatorPassword: *operatorPassword}}
	portal := portalTarget(base, *pid)
	// The ceiling runs after the last of the portal's submit and queue,
	// on the database as the portal left it.
	lastHot := -1
	for i, p := range phases {
		if p == "submit" || p == "queue" {
			lastHot = i
		}
	}
	pids := []int{*pid, *ceilingPID}
	var results []*phaseResult
	for i, name := range phases {
		settle(out, settleLimit, pids...)
		p, err := l.phase(name, portal)
		if err != nil {
			return err
		}
		printPhase(out, p)
		results = append(results, p)
		if ceiling == nil || i != lastHot {
			continue
		}
		for _, name := range phases[:i+1] {
			if name == "submit" || name == "queue" {
				settle(out, settleLimit, pids...)
				p, err := l.phase(name, ceiling)
				if err != nil {
					return err
				}
				printPhase(out, p)
				results = append(results, p)
			}
		}
	}
	cmps := compare(results)
	printSummary(out, results, cmps)
	if *jsonFile == "" {
		return nil
	}
	r := report{URL: base, Finished: time.Now().UTC(), Conns: *conns, Duration: duration.String(), Warmup: warmup.String(),
		CPUs: runtime.NumCPU(), Phases: results, VsCeiling: cmps}
	if ceiling != nil {
		r.Ceiling = ceiling.base
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(*jsonFile, append(b, '\n'), 0o644)
}

// report is the -json file.
type report struct {
	URL       string         `json:"url"`
	Ceiling   string         `json:"ceiling,omitempty"`
	Finished  time.Time      `json:"finished"`
	Conns     int            `json:"conns"`
	Duration  string         `json:"duration"`
	Warmup    string         `json:"warmup"`
	CPUs      int            `json:"cpus"`
	Phases    []*phaseResult `json:"phases"`
	VsCeiling []comparison   `json:"vs_ceiling,omitempty"`
}

func parsePhases(list string) ([]string, error) {
	var out []string
	for p := range strings.SplitSeq(list, ",") {
		p = strings.TrimSpace(p)
		if !slices.Contains(allPhases, p) || slices.Contains(out, p) {
			return nil, fmt.Errorf("-phases: %q is not one of %s, or comes twice", p, strings.Join(allPhases, ","))
		}
		out = append(out, p)
	}
	return out, nil
}

// thisYear is the year in Kyrgyzstan (UTC+6 all year), as the portal
// counts quota years.
func thisYear() int { return time.Now().In(time.FixedZone("KGT", 6*3600)).Year() }

// verifyURLs reads the verification addresses, one a line, and points them
// at the server under test: the seeder writes them with its own base URL.
func verifyURLs(file, base string, out io.Writer) ([]string, error) {
	if file == "" {
		return nil, nil
	}
	f, err := os.Open(file)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(out, "no %s: the verification checks are skipped\n", file)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var urls []string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, err := url.Parse(line)
		if err != nil || !strings.HasPrefix(u.Path, "/verify/") {
			return nil, fmt.Errorf("%s:%d: not a /verify/ address: %q", file, n, line)
		}
		urls = append(urls, base+u.RequestURI())
	}
	return urls, sc.Err()
}

// preflight checks that the server answers and that it refuses a
// cross-origin POST, as it must for the Origin header to mean anything.
func preflight(tr http.RoundTripper, base string, out io.Writer) error {
	if err := reachable(tr, base+"/"); err != nil {
		return fmt.Errorf("the server is not reachable: %w", err)
	}
	req, err := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(""))
	if err != nil {
		return err
	}
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("cross-origin POST: %w", err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		return fmt.Errorf("cross-origin POST refused: FAILED: POST /login with Origin: http://evil.example got %d, want 403", resp.StatusCode)
	}
	fmt.Fprintln(out, "cross-origin POST refused: ok")
	return nil
}

// reachable GETs u and wants an answer below 500.
func reachable(tr http.RoundTripper, u string) error {
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 500 {
		return fmt.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	return nil
}

// checkPID checks that pid (0: not given) is a process whose CPU time can
// be read. Given the go command of "go run", it measures its only child,
// the server, instead.
func checkPID(what string, pid *int, out io.Writer) error {
	if *pid == 0 {
		return nil
	}
	if _, err := procCPU(*pid); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s pid %d: no such process", what, *pid)
	} else if err != nil {
		return fmt.Errorf("%s pid %d: %w", what, *pid, err)
	}
	name := procName(*pid)
	if name == "go" {
		children := procChildren(*pid)
		if len(children) != 1 {
			return fmt.Errorf("%s pid %d is the go command, not the %s, and it has %d children: pass the pid of the built binary", what, *pid, what, len(children))
		}
		fmt.Fprintf(out, "%s pid %d is the go command: measuring its child %d instead\n", what, *pid, children[0])
		*pid, name = children[0], procName(children[0])
	}
	fmt.Fprintf(out, "%s process: %d (%s)\n", what, *pid, name)
	return nil
}
