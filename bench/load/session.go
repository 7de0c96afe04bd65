package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const userAgent = "emgek-load/1"

// newTransport is the one transport of every virtual user: keep-alive
// connections, enough idle ones per host that no user has to dial again.
func newTransport(conns int) *http.Transport {
	return &http.Transport{
		Proxy:               nil, // loopback: never through a proxy from the environment
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        4 * conns,
		MaxIdleConnsPerHost: 2 * conns,
		IdleConnTimeout:     90 * time.Second,
	}
}

// user is a virtual user: a browser with its own cookies. It makes one
// request at a time and reuses its body buffer.
type user struct {
	c      *http.Client
	base   string   // the server, http://host:port
	origin []string // the Origin header a browser sends, shared read-only
	email  string   // who it logged in as; "" when anonymous
	rec    *recorder
	buf    bytes.Buffer
	gz     *gzip.Reader // unpacks the bodies it reads, reused
	next   int          // its position in the verification addresses
	reads  int          // queue pages it opened: every checkEvery-th is read
}

func newUser(tr http.RoundTripper, base string) *user {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &user{
		c: &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		base:   base,
		origin: []string{base},
	}
}

// reply is one request's outcome; returned by value, it costs no allocation.
type reply struct {
	status   int
	location string
	start    time.Time
	took     time.Duration // to the last byte of the body
	err      error
}

var formType = []string{"application/x-www-form-urlencoded"}
var agent = []string{userAgent}

// gzipOnly is the Accept-Encoding a browser sends, in short. Set here, it
// stops the transport from unpacking every body on its own: a body the
// tool only counts is received whole, as a browser would, but not
// unpacked — that work belongs to the browser's machine, and here it
// would take the server's cores (a 40 KB inbox page is 4 KB on the wire).
var gzipOnly = []string{"gzip"}

// send makes one request, form-encoded when form is not empty. With keep
// the body is read into u.buf, unpacked; otherwise it is read and discarded.
func (u *user) send(method, addr, form string, keep bool) reply {
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	start := time.Now()
	req, err := http.NewRequest(method, addr, body)
	if err != nil {
		return reply{start: start, err: err}
	}
	req.Header["Origin"] = u.origin
	req.Header["User-Agent"] = agent
	req.Header["Accept-Encoding"] = gzipOnly
	if form != "" {
		req.Header["Content-Type"] = formType
	}
	resp, err := u.c.Do(req)
	if err != nil {
		took := time.Since(start)
		time.Sleep(10 * time.Millisecond) // a refused connection fails at once: do not spin
		return reply{start: start, took: took, err: err}
	}
	if keep {
		err = u.read(resp)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	resp.Body.Close()
	return reply{status: resp.StatusCode, location: resp.Header.Get("Location"), start: start, took: time.Since(start), err: err}
}

// read puts resp's body into u.buf, unpacked.
func (u *user) read(resp *http.Response) error {
	u.buf.Reset()
	if resp.Header.Get("Content-Encoding") != "gzip" {
		_, err := u.buf.ReadFrom(resp.Body)
		return err
	}
	var err error
	if u.gz == nil {
		u.gz, err = gzip.NewReader(resp.Body)
	} else {
		err = u.gz.Reset(resp.Body)
	}
	if err != nil {
		return err
	}
	_, err = u.buf.ReadFrom(u.gz)
	return err
}

// record counts r under step s: a success when its status is want and
// bad, what the caller found wrong with the response, is empty.
func (u *user) record(s step, r reply, want int, bad string) bool {
	kind := bad
	switch {
	case r.err != nil:
		kind = netKind(r.err)
	case r.status != want:
		kind = "HTTP " + strconv.Itoa(r.status)
	}
	u.rec.add(s, r.start, r.took, r.err == nil, kind)
	return kind == ""
}

// netKind names the class of a network error, coarsely enough that a
// table can count them.
func netKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, syscall.EPIPE):
		return "broken pipe"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "no free ports"
	case errors.Is(err, syscall.EMFILE):
		return "too many open files"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "eof"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "network"
}

// loginError is a login the server did not accept.
type loginError struct {
	email, path string
	status      int
}

func (e *loginError) Error() string {
	s := fmt.Sprintf("login as %s at %s: status %d, want 303", e.email, e.path, e.status)
	switch e.status {
	case http.StatusTooManyRequests:
		s += ": the server's login throttle is holding back this address after too many failed logins " +
			"(20 a day are free); wait, or clear it: DELETE FROM throttles WHERE key LIKE 'login:%:ip:%'"
	case http.StatusUnprocessableEntity:
		s += " (no such account or a wrong password)"
	case http.StatusForbidden:
		s += " (the account is not active)"
	}
	return s
}

// login posts the login form; a 303 means the user's jar now holds a session.
func (u *user) login(path, email, password string) error {
	form := url.Values{"email": {email}, "password": {password}}.Encode()
	r := u.send(http.MethodPost, u.base+path, form, false)
	if r.err != nil {
		return fmt.Errorf("login as %s at %s%s: %w", email, u.base, path, r.err)
	}
	if r.status != http.StatusSeeOther {
		return &loginError{email: email, path: path, status: r.status}
	}
	u.email = email
	return nil
}
