package app_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/casework"
)

// TestConfirmationsOnce: the "received" emails of marked applications are
// queued exactly once each, however many instances queue them at once.
func TestConfirmationsOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		emp := e.NewCabinet(account.Employer, "confirm@example.test", account.Active)
		twin := e.Twin()
		const n = 120
		var rows []string
		var args []any
		now := time.Now().UTC()
		for i := range n {
			args = append(args, fmt.Sprintf("Q-C-%05d", i), emp, now)
			k := len(args)
			rows = append(rows, fmt.Sprintf("($%d, 'quota', $%d, 'submitted', $%d, $%d, $%d, TRUE)", k-2, k-1, k, k, k))
		}
		if _, err := e.DB.Exec(t.Context(), `INSERT INTO cases (number, service, cabinet_id, status, created_at, submitted_at, updated_at, confirm_pending) VALUES `+
			strings.Join(rows, ", "), args...); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for i := range 4 {
			app := e.App
			if i%2 == 1 {
				app = twin.App
			}
			wg.Go(func() {
				for {
					if _, err := casework.SendConfirmations(t.Context(), app.DB, app.Jobs, 7); err != nil {
						t.Error(err)
						return
					}
					var left int
					if err := app.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM cases WHERE confirm_pending`).Scan(&left); err != nil || left == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		var marked, queued, distinct int
		if err := e.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM cases WHERE confirm_pending`).Scan(&marked); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.QueryRow(t.Context(), `SELECT COUNT(*), COUNT(DISTINCT CAST(args AS TEXT)) FROM river_job
			WHERE kind = 'send_mail' AND CAST(args AS TEXT) LIKE '%Q-C-%'`).Scan(&queued, &distinct); err != nil {
			t.Fatal(err)
		}
		if marked != 0 || queued != n || distinct != n {
			t.Fatalf("%d still marked, %d emails queued (%d distinct), want 0 and %d once each", marked, queued, distinct, n)
		}
	})
}
