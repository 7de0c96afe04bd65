package web

import (
	"encoding/gob"
	"net/http"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"

	"github.com/emgek/emgek/internal/db"
)

// Session lifetimes (issue: 30 minutes idle, 12 hours at most).
const (
	SessionIdle     = 30 * time.Minute
	SessionLifetime = 12 * time.Hour
)

// NewSessions returns the session manager on the database: sessions are
// found on the reader pool and written on the writer, so SQLite's one
// writer connection is not taken by every page view.
func NewSessions(d *db.DB, secure bool) *scs.SessionManager {
	gob.Register(time.Time{}) // session values are gob-encoded
	sm := scs.New()
	// No scs IdleTimeout: with one, scs rewrites the session on every
	// request. The idle limit is enforced by the Session middleware from the
	// "seen" time, written at most once a minute.
	sm.Lifetime = SessionLifetime
	sm.Codec = tolerantCodec{}
	sm.Cookie.Name = "emgek_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = secure
	switch d.Dialect {
	case db.SQLite:
		sm.Store = splitStore{
			read:  sqlite3store.NewWithCleanupInterval(d.Reader(), 0),
			write: sqlite3store.NewWithCleanupInterval(d.Writer(), 10*time.Minute),
		}
	default:
		sm.Store = postgresstore.NewWithCleanupInterval(d.Writer(), 10*time.Minute)
	}
	return sm
}

type store interface {
	Find(token string) ([]byte, bool, error)
	Commit(token string, b []byte, expiry time.Time) error
	Delete(token string) error
}

type splitStore struct{ read, write store }

func (s splitStore) Find(token string) ([]byte, bool, error) { return s.read.Find(token) }
func (s splitStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.write.Commit(token, b, expiry)
}
func (s splitStore) Delete(token string) error { return s.write.Delete(token) }
