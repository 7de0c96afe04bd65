package throttle

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
)

// Login policies. An account must wait after its 5th failure in a row, an
// address after its 20th; both cap at 15 minutes and forget after a day. A browser that
// has logged in to the account before (it holds a device token) is not
// subject to the account's delay, so an attacker hammering someone's
// account cannot keep its owner out (OWASP "device cookies").
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

func (g *LoginGuard) accountKey(email string) string {
	s := sha256.Sum256([]byte(strings.ToLower(email)))
	return "login:" + g.Realm + ":acct:" + hex.EncodeToString(s[:12])
}

func (g *LoginGuard) addressKey(ip string) string { return "login:" + g.Realm + ":ip:" + ip }

// DeviceToken is what a browser keeps after logging in as email.
func (g *LoginGuard) DeviceToken(email string) string {
	m := hmac.New(sha256.New, g.Secret)
	m.Write([]byte(g.Realm + "\x00" + strings.ToLower(email)))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Before refuses a login attempt while its address or account must wait:
// TooMany with the seconds to wait.
func (g *LoginGuard) Before(ctx context.Context, email, ip, device string) error {
	wait, err := g.T.Wait(ctx, g.addressKey(ip))
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(device), []byte(g.DeviceToken(email))) {
		w, err := g.T.Wait(ctx, g.accountKey(email))
		if err != nil {
			return err
		}
		wait = max(wait, w)
	}
	if wait > 0 {
		return tooMany(wait)
	}
	return nil
}

// Failed records a failed attempt.
func (g *LoginGuard) Failed(ctx context.Context, email, ip string) error {
	if _, err := g.T.Fail(ctx, g.addressKey(ip), AddressPolicy); err != nil {
		return err
	}
	_, err := g.T.Fail(ctx, g.accountKey(email), AccountPolicy)
	return err
}

// Succeeded forgets the account's failures.
func (g *LoginGuard) Succeeded(ctx context.Context, email string) error {
	return g.T.Reset(ctx, g.accountKey(email))
}

func tooMany(wait time.Duration) error {
	e := apperr.New(apperr.TooMany, "login.throttled")
	e.Args = map[string]any{"Count": int(math.Ceil(wait.Seconds()))}
	return e
}
