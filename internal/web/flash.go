package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
)

// The flash message after a POST (303 + "saved", "sent" …) travels in a
// short-lived cookie, not in the session: writing the session twice per
// form — once to set the message, once to clear it — would cost two
// database writes for a line of text. The cookie holds only a
// translation id.

type flashKey struct{}

type flashState struct {
	set  string // to show on the next page
	seen bool   // the request's flash was shown: clear it
}

var flashID = regexp.MustCompile(`^[a-z0-9_.]{1,100}$`)

// Flash shows the message with the translation id key on the next page.
func (k *Kit) Flash(r *http.Request, key string) {
	if st, ok := r.Context().Value(flashKey{}).(*flashState); ok {
		st.set = key
	}
}

// popFlash returns the flash the request carries, and has it cleared.
func popFlash(r *http.Request) string {
	st, ok := r.Context().Value(flashKey{}).(*flashState)
	if !ok {
		return "" // a page made before Flashes ran (an early error): it could not clear it
	}
	c, err := r.Cookie("flash")
	if err != nil || !flashID.MatchString(c.Value) {
		return ""
	}
	st.seen = true
	return c.Value
}

// Flashes carries flash messages from one response to the next request.
func (k *Kit) Flashes(next http.Handler) http.Handler {
	secure := strings.HasPrefix(k.BaseURL, "https://")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := &flashState{}
		fw := &flashWriter{ResponseWriter: w, st: st, secure: secure}
		next.ServeHTTP(fw, r.WithContext(context.WithValue(r.Context(), flashKey{}, st)))
	})
}

type flashWriter struct {
	http.ResponseWriter
	st     *flashState
	secure bool
	done   bool
}

func (w *flashWriter) WriteHeader(code int) {
	if !w.done {
		w.done = true
		c := &http.Cookie{Name: "flash", Path: "/", HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteLaxMode}
		switch {
		case w.st.set != "":
			c.Value, c.MaxAge = w.st.set, 300
			http.SetCookie(w.ResponseWriter, c)
		case w.st.seen:
			c.MaxAge = -1
			http.SetCookie(w.ResponseWriter, c)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *flashWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *flashWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
