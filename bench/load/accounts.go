package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// accounts logs the virtual users in, one at a time and once each (a
// login hashes a password, deliberately slowly), and keeps them for every
// phase that needs them.
//
// Logins go one at a time because the server's login throttle counts
// attempts as they arrive, before their passwords are checked: many at
// once from one address look like guessing. Failed logins count against
// the address for a day, so the tool stops trying the employer list after
// maxStreak failures in a row.
type accounts struct {
	tr   http.RoundTripper
	base string
	log  io.Writer

	employerEmails   []string
	password         string
	operator         string
	operatorPassword string

	employers, operators []*user
	probed               int      // employer e-mails tried so far
	streak               int      // failed logins in a row
	good                 []string // employer accounts that logged in
	failed               []string // "e-mail (status)"
	notEmployers         int      // logged in, but 403 on the quota form
}

const maxStreak = 8

// employerUsers returns n logged-in employers. When the list runs out, the
// accounts found get more than one session each.
func (a *accounts) employerUsers(n int) ([]*user, error) {
	before := len(a.employers)
	for len(a.employers) < n {
		if a.probed < len(a.employerEmails) && a.streak < maxStreak {
			email := a.employerEmails[a.probed]
			a.probed++
			u, err := a.tryEmployer(email)
			if err != nil {
				return nil, err
			}
			if u != nil {
				a.employers = append(a.employers, u)
			}
			continue
		}
		if len(a.good) == 0 {
			return nil, fmt.Errorf("no employer could log in: of %d accounts tried, %d are not employers and %d failed: %s; see -employers and -employer-ids",
				a.probed, a.notEmployers, len(a.failed), a.failures())
		}
		u := newUser(a.tr, a.base)
		if err := u.login("/login", a.good[len(a.employers)%len(a.good)], a.password); err != nil {
			return nil, err
		}
		a.employers = append(a.employers, u)
	}
	if len(a.employers) > before {
		fmt.Fprintf(a.log, "employers: %d users logged in as %d accounts (tried %d: %d not employers, %d failed)\n",
			len(a.employers), len(a.good), a.probed, a.notEmployers, len(a.failed))
		if len(a.failed) > 0 {
			fmt.Fprintf(a.log, "  failed logins: %s\n  note: they count against this address in the server's login throttle "+
				"(20 failures a day are free); -employers/-employer-ids starting at %s would avoid them\n", a.failures(), a.good[0])
		}
	}
	return a.employers[:n], nil
}

// tryEmployer logs in as email and checks that the cabinet can apply for
// quotas; nil, nil when it cannot log in or is not an employer.
func (a *accounts) tryEmployer(email string) (*user, error) {
	u := newUser(a.tr, a.base)
	err := u.login("/login", email, a.password)
	if le := (*loginError)(nil); errors.As(err, &le) && le.status != http.StatusTooManyRequests {
		a.failed = append(a.failed, email+" ("+strconv.Itoa(le.status)+")")
		a.streak++
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a.streak = 0
	r := u.send(http.MethodGet, a.base+"/cabinet/quota/new", "", false)
	switch {
	case r.err != nil:
		return nil, fmt.Errorf("%s: GET /cabinet/quota/new: %w", email, r.err)
	case r.status == http.StatusForbidden:
		a.notEmployers++
		return nil, nil
	case r.status != http.StatusOK:
		return nil, fmt.Errorf("%s: GET /cabinet/quota/new: status %d, want 200", email, r.status)
	}
	a.good = append(a.good, email)
	return u, nil
}

func (a *accounts) failures() string {
	if len(a.failed) <= 5 {
		return strings.Join(a.failed, ", ")
	}
	return strings.Join(a.failed[:5], ", ") + fmt.Sprintf(" and %d more", len(a.failed)-5)
}

// operatorUsers returns n sessions of the operator.
func (a *accounts) operatorUsers(n int) ([]*user, error) {
	before := len(a.operators)
	for len(a.operators) < n {
		u := newUser(a.tr, a.base)
		if err := u.login("/office/login", a.operator, a.operatorPassword); err != nil {
			return nil, err
		}
		a.operators = append(a.operators, u)
	}
	if len(a.operators) > before {
		fmt.Fprintf(a.log, "operators: %d sessions of %s\n", len(a.operators), a.operator)
	}
	return a.operators[:n], nil
}

// anonymous returns n users without a login.
func anonymous(tr http.RoundTripper, base string, n int) []*user {
	us := make([]*user, n)
	for i := range us {
		us[i] = newUser(tr, base)
	}
	return us
}

// employerList expands -employers: a comma list of e-mails, or a pattern
// with %d filled in from ids such as "1-1000" or "5,7,20-40".
func employerList(pattern, ids string) ([]string, error) {
	if !strings.Contains(pattern, "%d") {
		var out []string
		for e := range strings.SplitSeq(pattern, ",") {
			if e = strings.TrimSpace(e); e != "" {
				out = append(out, e)
			}
		}
		return out, nil
	}
	var out []string
	for part := range strings.SplitSeq(ids, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		b := a
		if err == nil && isRange {
			b, err = strconv.Atoi(hi)
		}
		if err != nil || b < a {
			return nil, fmt.Errorf("-employer-ids %q: want ids or ranges such as 1-1000 or 5,7,20-40", ids)
		}
		for id := a; id <= b; id++ {
			out = append(out, strings.Replace(pattern, "%d", strconv.Itoa(id), 1))
		}
	}
	return out, nil
}
