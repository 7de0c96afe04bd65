// Package ncalayer is a stand-in for NCALayer, the NCA RK desktop program
// that signs for the browser over a local WebSocket. It speaks NCALayer's
// protocol with the demo keys of devpki, so that the portal's real browser
// code runs in development mode and in browser tests.
//
// What a user would do in NCALayer's dialog is set from Go instead: which
// identity's keys are picked (Select) and whether the next signing goes
// through, is cancelled or fails (SetNext). Like devpki, it is for
// development and tests only.
package ncalayer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/emgek/emgek/internal/devpki"
)

// Action is what the "user" does with the next sign request.
type Action int

const (
	Sign   Action = iota // pick the key and sign (the default)
	Cancel               // press Cancel
	Fail                 // the signing fails
)

func (a Action) String() string {
	switch a {
	case Sign:
		return "sign"
	case Cancel:
		return "cancel"
	case Fail:
		return "fail"
	}
	return fmt.Sprintf("Action(%d)", int(a))
}

// maxMessage bounds one request; documents travel base64-encoded in it.
const maxMessage = 64 << 20

// StandIn is the stand-in NCALayer. It is safe for concurrent use.
type StandIn struct {
	pki     *devpki.PKI
	origins []string
	ctx     context.Context // ends with Close, and with it every connection
	stop    context.CancelFunc

	mu       sync.Mutex
	selected string
	next     Action
	srv      *http.Server
	closed   bool
}

// New makes a stand-in that signs with pki's keys, the first identity's
// until Select says otherwise. origins are the host patterns of the pages
// allowed to connect (e.g. "127.0.0.1:*", "localhost:*"); a page of the
// stand-in's own host, and a client that sends no Origin, are always let in.
func New(pki *devpki.PKI, origins []string) *StandIn {
	s := &StandIn{pki: pki, origins: append([]string(nil), origins...)}
	s.ctx, s.stop = context.WithCancel(context.Background())
	if len(pki.Identities) > 0 {
		s.selected = pki.Identities[0].Name
	}
	return s
}

// ServeHTTP upgrades the request to a WebSocket and serves NCALayer's
// protocol on it until either side closes it or Close is called.
func (s *StandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.ctx.Err() != nil {
		http.Error(w, "the NCALayer stand-in is closed", http.StatusServiceUnavailable)
		return
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: s.origins})
	if err != nil {
		return // Accept has answered the request
	}
	defer c.CloseNow()
	c.SetReadLimit(maxMessage)
	s.serve(s.ctx, c)
}

// serve greets, then answers each request in turn.
func (s *StandIn) serve(ctx context.Context, c *websocket.Conn) {
	if err := writeJSON(ctx, c, greeting); err != nil {
		return
	}
	for {
		_, msg, err := c.Read(ctx)
		if err != nil {
			return
		}
		if err := writeJSON(ctx, c, s.handle(msg)); err != nil {
			return
		}
	}
}

// Start listens on addr (e.g. "127.0.0.1:0") and serves plain WebSocket
// there; it returns the URL to connect to, "ws://host:port".
func (s *StandIn) Start(addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("ncalayer: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.srv != nil {
		ln.Close()
		return "", errors.New("ncalayer: the stand-in is closed or already started")
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go s.srv.Serve(ln)
	return "ws://" + ln.Addr().String(), nil
}

// Close stops the listener of Start, if any, and ends every connection.
func (s *StandIn) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.stop()
	if s.srv != nil {
		return s.srv.Close()
	}
	return nil
}

// Select makes the "dialog" pick the keys of the named identity.
func (s *StandIn) Select(name string) error {
	if s.pki.Identity(name) == nil {
		return fmt.Errorf("ncalayer: no identity %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.selected = name
	return nil
}

// Selected is the name of the identity whose keys are picked.
func (s *StandIn) Selected() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.selected
}

// SetNext sets what the next sign request that reaches the dialog does; a
// request refused for its arguments does not count. After it, Sign again.
func (s *StandIn) SetNext(a Action) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next = a
}

// Next is the action pending for the next sign request.
func (s *StandIn) Next() Action {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.next
}

// dialog takes the pending action, leaving Sign, and the selected identity.
func (s *StandIn) dialog() (Action, *devpki.Identity) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.next
	s.next = Sign
	return a, s.pki.Identity(s.selected)
}
