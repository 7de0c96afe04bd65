package throttle

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
)

// Login policies. An account must wait after its 5th failure in a row, an
// address after its 20th; both cap at 15 minutes and forget after a day.
//
// A browser that has logged in to the account before holds a device
// token and is counted by that token instead of by the account (OWASP
// "device cookies"): an attacker hammering someone's account cannot keep
// its owner out, and a stolen token still allows only a few guesses.
var (
	AccountPolicy = Policy{Free: 4, Base: 2 * time.Second, Max: 15 * time.Minute, Window: 24 * time.Hour}
	AddressPolicy = Policy{Free: 19, Base: 2 * time.Second, Max: 15 * time.Minute, Window: 24 * time.Hour}
)

// LoginGuard throttles one kind of login ("cabinet", "staff").
type LoginGuard struct {
	T      *Throttle
	Realm  string
	Secret []byte // signs device tokens
}

// Attempt is a reserved login attempt: call Succeeded when the password
// was right; a failed attempt stays counted.
type Attempt struct {
	g        *LoginGuard
	keys     []string
	policies []Policy
	account  string
}

func (g *LoginGuard) accountKey(email string) string {
	s := sha256.Sum256([]byte(strings.ToLower(email)))
	return "login:" + g.Realm + ":acct:" + hex.EncodeToString(s[:12])
}

// DeviceToken returns a new token for a browser that logged in as email:
// a random nonce and its signature over the account.
func (g *LoginGuard) DeviceToken(email string) string {
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce)
	n := hex.EncodeToString(nonce)
	return n + "." + g.sign(n, email)
}

func (g *LoginGuard) sign(nonce, email string) string {
	m := hmac.New(sha256.New, g.Secret)
	m.Write([]byte(g.Realm + "\x00" + strings.ToLower(email) + "\x00" + nonce))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// deviceKey is the throttle key of a device token valid for email, or "".
func (g *LoginGuard) deviceKey(device, email string) string {
	nonce, sig, ok := strings.Cut(device, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(g.sign(nonce, email))) {
		return ""
	}
	return "login:" + g.Realm + ":dev:" + nonce
}

// Start checks that both an email and a password were typed, then
// reserves the attempt (see Before).
func (g *LoginGuard) Start(ctx context.Context, email, password, ip, device string) (*Attempt, error) {
	var fe apperr.FieldErrors
	if email == "" {
		fe.Add("email", "form.required")
	}
	if password == "" {
		fe.Add("password", "form.required")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return g.Before(ctx, email, ip, device)
}

// Before reserves an attempt to log in as email from ip, with the
// browser's device token (may be empty); TooMany says how long to wait.
func (g *LoginGuard) Before(ctx context.Context, email, ip, device string) (*Attempt, error) {
	a := &Attempt{g: g, account: g.accountKey(email)}
	second := a.account
	if k := g.deviceKey(device, email); k != "" {
		second = k
	}
	for i, key := range []string{"login:" + g.Realm + ":ip:" + addressKey(ip), second} {
		p := []Policy{AddressPolicy, AccountPolicy}[i]
		wait, err := g.T.Reserve(ctx, key, p)
		if err != nil {
			return nil, err
		}
		if wait > 0 {
			if err := a.refund(ctx); err != nil { // the keys reserved so far
				return nil, err
			}
			return nil, tooMany(wait)
		}
		a.keys, a.policies = append(a.keys, key), append(a.policies, p)
	}
	return a, nil
}

func (a *Attempt) refund(ctx context.Context) error {
	for i, k := range a.keys {
		if err := a.g.T.Refund(ctx, k, a.policies[i]); err != nil {
			return err
		}
	}
	return nil
}

// Succeeded gives the attempt back and forgets the account's failures.
func (a *Attempt) Succeeded(ctx context.Context) error {
	if err := a.refund(ctx); err != nil {
		return err
	}
	return a.g.T.Reset(ctx, a.account)
}

func tooMany(wait time.Duration) error {
	e := apperr.New(apperr.TooMany, "login.throttled")
	e.Args = map[string]any{"Count": int(math.Ceil(wait.Seconds()))}
	return e
}

// addressKey is an IPv4 address, or the /64 network of an IPv6 address
// (one subscriber usually holds a whole /64 and could rotate within it).
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// ReserveAddress counts an attempt from ip in realm (AddressPolicy, /64
// for IPv6), for actions other than a password login: a refused
// certificate login, say. TooMany says how long to wait; give a success
// back with Refund(ctx, key, AddressPolicy).
func (t *Throttle) ReserveAddress(ctx context.Context, realm, ip string) (key string, err error) {
	key = realm + ":ip:" + addressKey(ip)
	wait, err := t.Reserve(ctx, key, AddressPolicy)
	if err != nil {
		return "", err
	}
	if wait > 0 {
		return "", tooMany(wait)
	}
	return key, nil
}
