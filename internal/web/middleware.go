package web

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/klauspost/compress/gzhttp"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/i18n"
)

type ctxKey int

const (
	keyRequestID ctxKey = iota
	keyLocalizer
	keyUser
	keyClientIP
)

var forbidden = apperr.New(apperr.Forbidden, "error.forbidden")

// Principal is who is logged in: a cabinet or a member of staff.
type Principal struct {
	Kind  string // "cabinet" or "staff"
	ID    int64
	Role  Role // the cabinet's kind, or the staff role
	Name  string
	Email string
	Lang  string
	// Unread counts a cabinet's unread messages, for the navigation.
	Unread int
	// Member is who acts for an organisation's cabinet (Kazakhstan: the
	// head, or someone the head granted a role); 0 otherwise.
	Member     int64
	MemberRole string
}

// Actor names the principal in the audit log: "cabinet:12", or
// "cabinet:12/member:3" when a member acts for an organisation.
func (p *Principal) Actor() string {
	if p == nil {
		return "anonymous"
	}
	a := p.Kind + ":" + strconv.FormatInt(p.ID, 10)
	if p.Member != 0 {
		a += "/member:" + strconv.FormatInt(p.Member, 10)
	}
	return a
}

// IsStaff reports whether the principal works in the back office.
func (p *Principal) IsStaff() bool { return p != nil && p.Kind == "staff" }

// PrincipalLoader loads the principal a session names, given when the
// session logged in; it returns nil when the account no longer may log in
// (disabled, deleted, or its password changed since).
// member is the organisation member the session acts as, or 0.
type PrincipalLoader func(ctx context.Context, kind string, id, member int64, since time.Time) (*Principal, error)

// User returns the logged-in principal, or nil.
func User(ctx context.Context) *Principal {
	p, _ := ctx.Value(keyUser).(*Principal)
	return p
}

// RequestID returns the id of the request, shown on error pages and logged.
func RequestID(ctx context.Context) string {
	s, _ := ctx.Value(keyRequestID).(string)
	return s
}

// Localizer returns the request's translator.
func Localizer(ctx context.Context) *i18n.Localizer {
	l, _ := ctx.Value(keyLocalizer).(*i18n.Localizer)
	return l
}

// ClientIP is the address a request came from, as the ClientAddress
// middleware found it (the peer, or behind trusted proxies the address
// they forwarded).
func ClientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(keyClientIP).(string); ok {
		return ip
	}
	return peerIP(r)
}

func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ClientAddress finds the client's address. When the peer is one of the
// trusted proxies (EMGEK_TRUSTED_PROXIES), X-Forwarded-For is read from
// the right, skipping trusted hops; otherwise the header is ignored, so a
// client cannot choose its own address.
func (k *Kit) ClientAddress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := peerIP(r)
		if k.trusted(ip) {
			hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
			for i := len(hops) - 1; i >= 0; i-- {
				hop := strings.TrimSpace(hops[i])
				if _, err := netip.ParseAddr(hop); err != nil {
					break
				}
				ip = hop
				if !k.trusted(hop) {
					break
				}
			}
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), keyClientIP, ip)))
	})
}

func (k *Kit) trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	for _, p := range k.TrustedProxies {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// Chain composes middleware so the first runs outermost.
func Chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// Recover turns a panic into a 500 page instead of a dropped connection.
func (k *Kit) Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if err, ok := p.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(http.ErrAbortHandler) // raised again in a transaction, too
				}
				k.Error(w, r, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// RequestLog gives each request an id and logs it with its status and
// duration — never its query string or form, which may hold personal data.
func (k *Kit) RequestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		ctx := context.WithValue(r.Context(), keyRequestID, id)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		next.ServeHTTP(sw, r.WithContext(ctx))
		lvl := slog.LevelDebug
		if sw.status >= 500 {
			lvl = slog.LevelWarn
		}
		k.Log.Log(ctx, lvl, "http", "method", r.Method, "path", logPath(r.URL.Path), "status", sw.status,
			"ms", time.Since(start).Milliseconds(), "request_id", id)
	})
}

// secretPaths end in a single-use token, which must not reach the logs.
var secretPaths = []string{"/register/confirm/", "/password/reset/", "/office/invite/"}

// logPath is the path as logged: tokens replaced by "…".
func logPath(p string) string {
	for _, prefix := range secretPaths {
		if strings.HasPrefix(p, prefix) && len(p) > len(prefix) {
			return prefix + "…"
		}
	}
	return p
}

// SecurityHeaders sets a strict content security policy (no inline
// scripts; connect-src allows only NCALayer on the user's machine, at the
// given WebSocket URLs) and friends.
func SecurityHeaders(connect ...string) func(http.Handler) http.Handler {
	csp := "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"media-src 'self'; font-src 'self'; connect-src " + strings.Join(append([]string{"'self'"}, connect...), " ") +
		"; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", csp)
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			next.ServeHTTP(w, r)
		})
	}
}

// CrossOrigin rejects cross-origin unsafe requests (CSRF) with a 403 page.
func (k *Kit) CrossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.Error(w, r, apperr.New(apperr.Forbidden, "error.cross_origin"))
	}))
	return cop.Handler(next)
}

// Session loads the session (from the reader pool), the principal and the
// language. The session's last-seen time is written at most once a
// minute, which slides the idle expiry without a write per request.
func (k *Kit) Session(load PrincipalLoader) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			sm := k.Sessions
			var user *Principal
			if kind, id := sm.GetString(ctx, "kind"), sm.GetInt64(ctx, "uid"); kind != "" && id != 0 {
				if k.Now().Sub(sm.GetTime(ctx, "seen")) > SessionIdle {
					// Idle too long: the session ends, as if it had expired.
					if err := sm.Destroy(ctx); err != nil {
						k.Error(w, r.WithContext(ctx), err)
						return
					}
					ctx = context.WithValue(ctx, keyLocalizer, k.Catalog.Localizer(k.language(r, nil)))
					next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, keyUser, (*Principal)(nil))))
					return
				}
				p, err := load(ctx, kind, id, sm.GetInt64(ctx, "member"), sm.GetTime(ctx, "auth_at"))
				if err != nil {
					k.Error(w, r.WithContext(ctx), err)
					return
				}
				if p == nil { // disabled or gone: end the session
					_ = sm.Destroy(ctx)
				} else {
					user = p
					if seen := sm.GetTime(ctx, "seen"); k.Now().Sub(seen) > time.Minute {
						sm.Put(ctx, "seen", k.Now())
					}
				}
			}
			ctx = context.WithValue(ctx, keyUser, user)
			ctx = context.WithValue(ctx, keyLocalizer, k.Catalog.Localizer(k.language(r, user)))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
		return k.Sessions.LoadAndSave(inner)
	}
}

// Locale sets only the language, for routes that carry no session.
func (k *Kit) Locale(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), keyLocalizer, k.Catalog.Localizer(k.language(r, nil)))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// language: the user's profile, then the cookie, then Accept-Language,
// then the deployment's default.
func (k *Kit) language(r *http.Request, u *Principal) string {
	if u != nil && i18n.Valid(u.Lang) {
		return u.Lang
	}
	if c, err := r.Cookie("lang"); err == nil && i18n.Valid(c.Value) {
		return c.Value
	}
	if l := k.Catalog.Match(r.Header.Get("Accept-Language")); l != "" {
		return l
	}
	return k.DefaultLang
}

// Login starts a fresh session for the principal (a new token and no old
// data, so a session fixed before login is worthless).
func (k *Kit) Login(ctx context.Context, kind string, id int64) error {
	if err := k.Sessions.RenewToken(ctx); err != nil {
		return err
	}
	// Nothing of before the login carries over (a certificate's proof of
	// someone else's IIN, say).
	if err := k.Sessions.Clear(ctx); err != nil {
		return err
	}
	k.Sessions.Put(ctx, "kind", kind)
	k.Sessions.Put(ctx, "uid", id)
	k.Sessions.Put(ctx, "seen", k.Now())
	k.Sessions.Put(ctx, "auth_at", k.Now())
	return nil
}

// LoginMember starts a fresh session for a member acting for an
// organisation's cabinet.
func (k *Kit) LoginMember(ctx context.Context, cabinet, member int64) error {
	if err := k.Login(ctx, "cabinet", cabinet); err != nil {
		return err
	}
	k.Sessions.Put(ctx, "member", member)
	return nil
}

// Logout ends the session.
func (k *Kit) Logout(ctx context.Context) error { return k.Sessions.Destroy(ctx) }

// compressible are the content types worth compressing: pages, styles,
// scripts, JSON. PDFs, images and uploaded files go as they are.
var compressible = []string{"text/html", "text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml", "text/plain"}

// Compress gzips responses of compressible types for clients that accept
// it (a page of the portal shrinks about five times).
func Compress(next http.Handler) http.Handler {
	// The fastest level: pages still shrink about four times, for a
	// fraction of the CPU of the default.
	wrap, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(gzip.BestSpeed), gzhttp.ContentTypeFilter(func(ct string) bool {
		ct = strings.ToLower(ct)
		for _, c := range compressible {
			if strings.HasPrefix(ct, c) {
				return true
			}
		}
		return false
	}))
	if err != nil {
		panic(err) // the options above are fixed
	}
	return wrap(next)
}
