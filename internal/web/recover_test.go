package web

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/emgek/emgek/internal/db"
)

// TestRecoverAbort: a handler aborted on purpose (http.ErrAbortHandler)
// is aborted — also when the abort was raised inside a SQLite transaction
// and comes back wrapped with its stack — and not turned into an error
// page.
func TestRecoverAbort(t *testing.T) {
	for _, p := range []any{http.ErrAbortHandler, &db.Panic{Value: http.ErrAbortHandler}} {
		h := (&Kit{}).Recover(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(p) }))
		func() {
			defer func() {
				if got := recover(); got != http.ErrAbortHandler {
					t.Errorf("panic %v came out as %v, want http.ErrAbortHandler", p, got)
				}
			}()
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		}()
	}
	if !errors.Is(&db.Panic{Value: http.ErrAbortHandler}, http.ErrAbortHandler) {
		t.Error("db.Panic does not unwrap to its value")
	}
}
