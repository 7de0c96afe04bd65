package main

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// target is a server the phases run against: the portal, or the ceiling
// (bench/ceiling), which does the work of submit and queue bare.
type target struct {
	name      string // "portal" or "ceiling"
	portal    bool
	base      string // http://host:port
	pid       int    // 0: unknown
	submitURL string
	queueURL  string
}

func portalTarget(base string, pid int) *target {
	return &target{name: "portal", portal: true, base: base, pid: pid, submitURL: base + "/cabinet/quota/new",
		queueURL: base + "/office/inbox?service=quota&status=submitted&sort=newest"}
}

func ceilingTarget(addr string, pid int) *target {
	base := "http://" + addr
	return &target{name: "ceiling", base: base, pid: pid, submitURL: base + "/submit", queueURL: base + "/queue"}
}

// load is one run of the tool: what every phase shares.
type load struct {
	tr       http.RoundTripper
	conns    int
	duration time.Duration
	warmup   time.Duration
	form     string   // the quota application, encoded once
	verify   []string // verification addresses on the portal
	acc      *accounts
}

// quotaForm is the application every submit sends: three rows, 15 fields.
func quotaForm(year int) string {
	v := url.Values{"action": {"send"}, "year": {strconv.Itoa(year)}, "region": {"KG-GB"}}
	for i, r := range [][3]string{{"UZ", "7112", "2"}, {"TJ", "7115", "1"}, {"CN", "9313", "3"}} {
		p := "rows-" + strconv.Itoa(i) + "-"
		v.Set(p+"country", r[0])
		v.Set(p+"occupation", r[1])
		v.Set(p+"requested", r[2])
		v.Set(p+"justification", "Load test")
	}
	return v.Encode()
}

var (
	documentsForm = url.Values{"message": {"Please attach the lease contract"}}.Encode()
	countMarker   = []byte(`id="count"`)
	caseLink      = regexp.MustCompile(`href="(/office/quota/\d+)"`)
)

// submit sends the quota application; the portal answers with its page.
func (l *load) submit(t *target, u *user) {
	r := u.send(http.MethodPost, t.submitURL, l.form, false)
	bad := ""
	if t.portal && r.err == nil && r.status == http.StatusSeeOther {
		if to := strings.TrimPrefix(r.location, t.base); !strings.HasPrefix(to, "/cabinet/quota/") {
			bad, _, _ = strings.Cut("303 to "+to, "?") // a lost session goes to /login?next=…
		}
	}
	u.record(stepSubmit, r, http.StatusSeeOther, bad)
}

// checkEvery: the queue phase reads one portal page in this many (and
// finds the count on it); the rest it receives whole and counts. An
// operator's journey reads every page, for its link to a case.
const checkEvery = 8

// queue opens the operators' inbox page; with read, the portal's body
// stays in u.buf.
func (l *load) queue(t *target, u *user, read bool) bool {
	read = read && t.portal
	r := u.send(http.MethodGet, t.queueURL, "", read)
	bad := ""
	if read && r.err == nil && r.status == http.StatusOK && !bytes.Contains(u.buf.Bytes(), countMarker) {
		bad = `no id="count"`
	}
	return u.record(stepQueue, r, http.StatusOK, bad)
}

// check opens the next verification address, as a QR code would.
func (l *load) check(u *user) {
	r := u.send(http.MethodGet, l.verify[u.next%len(l.verify)], "", false)
	u.next++
	u.record(stepVerify, r, http.StatusOK, "")
}

// employer opens the quota form, sends it, and looks at its applications.
func (l *load) employer(t *target, u *user) {
	u.record(stepForm, u.send(http.MethodGet, t.submitURL, "", false), http.StatusOK, "")
	l.submit(t, u)
	u.record(stepArchive, u.send(http.MethodGet, t.base+"/cabinet/quota", "", false), http.StatusOK, "")
}

// operator takes the newest submitted application and asks for a
// document. Operators working the same queue may pick the same case: the
// loser gets 409, counted under its kind.
func (l *load) operator(t *target, u *user) {
	if !l.queue(t, u, true) {
		return
	}
	m := caseLink.FindSubmatch(u.buf.Bytes())
	if m == nil {
		u.rec.fail(stepCase, time.Now(), "no case link in the queue")
		return
	}
	c := t.base + string(m[1])
	if !u.record(stepCase, u.send(http.MethodGet, c, "", false), http.StatusOK, "") {
		return
	}
	u.record(stepDecide, u.send(http.MethodPost, c+"/request-documents", documentsForm, false), http.StatusSeeOther, "")
}

// group is virtual users doing the same loop.
type group struct {
	users []*user
	steps []step // what loop measures, in the order of the table
	loop  func(*user)
}

// phase logs in the users a phase needs, then runs it.
func (l *load) phase(name string, t *target) (*phaseResult, error) {
	users := func(login func(int) ([]*user, error), n int) ([]*user, error) {
		if !t.portal {
			return anonymous(l.tr, t.base, n), nil
		}
		return login(n)
	}
	var groups []group
	switch name {
	case "submit":
		us, err := users(l.acc.employerUsers, l.conns)
		if err != nil {
			return nil, err
		}
		groups = []group{{us, []step{stepSubmit}, func(u *user) { l.submit(t, u) }}}
	case "queue":
		us, err := users(l.acc.operatorUsers, l.conns)
		if err != nil {
			return nil, err
		}
		groups = []group{{us, []step{stepQueue}, func(u *user) {
			l.queue(t, u, u.reads%checkEvery == 0)
			u.reads++
		}}}
	case "verify":
		if len(l.verify) == 0 {
			return &phaseResult{Phase: name, Target: t.name, Skipped: "no verification addresses: see -verify-urls"}, nil
		}
		groups = []group{{anonymous(l.tr, t.base, l.conns), []step{stepVerify}, l.check}}
	case "journey":
		ne, no := (l.conns+1)/2, l.conns/4
		nc := l.conns - ne - no
		emp, err := l.acc.employerUsers(ne)
		if err != nil {
			return nil, err
		}
		ops, err := l.acc.operatorUsers(no)
		if err != nil {
			return nil, err
		}
		groups = []group{
			{emp, []step{stepForm, stepSubmit, stepArchive}, func(u *user) { l.employer(t, u) }},
			{ops, []step{stepQueue, stepCase, stepDecide}, func(u *user) { l.operator(t, u) }},
		}
		if len(l.verify) > 0 {
			groups = append(groups, group{anonymous(l.tr, t.base, nc), []step{stepVerify}, l.check})
		} else if nc > 0 {
			p := l.run(name, t, groups)
			p.Warnings = append(p.Warnings, "no verification addresses (-verify-urls): the "+strconv.Itoa(nc)+" checkers were left out")
			return p, nil
		}
	}
	return l.run(name, t, groups), nil
}

// run lets the groups loop for the warm-up and the duration, measuring
// only after the warm-up.
func (l *load) run(name string, t *target, groups []group) *phaseResult {
	from := time.Now().Add(l.warmup)
	to := from.Add(l.duration)
	capacity := int(l.duration.Seconds()*300) + 64 // latencies per user and step before a slice must grow
	var recs []*recorder
	var order []step
	for _, g := range groups {
		for _, u := range g.users {
			u.rec = newRecorder(from, to, capacity, g.steps)
			u.next = len(recs) // users start at different verification addresses
			recs = append(recs, u.rec)
		}
		for _, s := range g.steps {
			if !slices.Contains(order, s) {
				order = append(order, s)
			}
		}
	}
	measured := watch(t.pid, from, to)
	var wg sync.WaitGroup
	for _, g := range groups {
		for _, u := range g.users {
			wg.Go(func() {
				for time.Now().Before(to) {
					g.loop(u)
				}
			})
		}
	}
	wg.Wait()

	all := merge(recs)
	seconds := l.duration.Seconds()
	p := &phaseResult{Phase: name, Target: t.name, Users: len(recs), Seconds: seconds}
	var total series
	for _, s := range order {
		total.requests += all[s].requests
		total.lat = append(total.lat, all[s].lat...)
		for k, n := range all[s].errs {
			total.fail(stepNames[s]+": "+k, n)
		}
		p.Steps = append(p.Steps, summarize(stepNames[s], all[s], seconds))
	}
	p.Total = summarize("total", total, seconds)
	p.Server = (<-measured).usage(t.pid, p.Total.Requests)
	if p.Total.Requests == 0 {
		p.Warnings = append(p.Warnings, "no request finished inside the measured window")
	} else if p.Total.Errors*10 > p.Total.Requests {
		p.Warnings = append(p.Warnings, "more than one request in ten failed: the figures measure errors, not the server")
	}
	return p
}
