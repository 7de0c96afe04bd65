package app_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/smtptest"
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
			rows = append(rows, fmt.Sprintf("($%d, 'quota', $%d, 'submitted', $%d, $%d, $%d)", k-2, k-1, k, k, k))
		}
		if _, err := e.DB.Exec(t.Context(), `INSERT INTO cases (number, service, cabinet_id, status, created_at, submitted_at, updated_at) VALUES `+
			strings.Join(rows, ", "), args...); err != nil {
			t.Fatal(err)
		}
		// Most wait on the list; twenty were marked the way the release
		// before marks them (still running during a rolling upgrade).
		if _, err := e.DB.Exec(t.Context(), `INSERT INTO case_confirmations (case_id) SELECT id FROM cases WHERE number LIKE 'Q-C-%' AND number >= 'Q-C-00020'`); err != nil {
			t.Fatal(err)
		}
		if _, err := e.DB.Exec(t.Context(), `UPDATE cases SET confirm_pending = TRUE WHERE number LIKE 'Q-C-%' AND number < 'Q-C-00020'`); err != nil {
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
					if err := app.DB.QueryRow(t.Context(), `SELECT (SELECT COUNT(*) FROM case_confirmations) + (SELECT COUNT(*) FROM cases WHERE confirm_pending)`).Scan(&left); err != nil || left == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		var marked int
		if err := e.DB.QueryRow(t.Context(), `SELECT (SELECT COUNT(*) FROM case_confirmations) + (SELECT COUNT(*) FROM cases WHERE confirm_pending)`).Scan(&marked); err != nil {
			t.Fatal(err)
		}
		numbers := map[any]bool{}
		queued := 0
		for _, m := range e.QueuedEmails("application_received") {
			if n, _ := m.Data["Number"].(string); strings.HasPrefix(n, "Q-C-") {
				queued++
				numbers[n] = true
			}
		}
		distinct := len(numbers)
		if marked != 0 || queued != n || distinct != n {
			t.Fatalf("%d still marked, %d emails queued (%d distinct), want 0 and %d once each", marked, queued, distinct, n)
		}
	})
}

// TestConfirmationBatch: confirmations go out in batches; an email the
// relay refuses gets a job of its own and is retried, the others are sent
// once.
func TestConfirmationBatch(t *testing.T) {
	relay := smtptest.Start(t)
	relay.Refuse("refused@example.test")
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		relay.Reset()
		var ids []int64
		for _, email := range []string{"one@example.test", "refused@example.test", "two@example.test"} {
			ids = append(ids, e.NewCabinet(account.Employer, email, account.Active))
		}
		now := time.Now().UTC()
		for i, id := range ids {
			var caseID int64
			if err := e.DB.WriteRow(t.Context(), `INSERT INTO cases (number, service, cabinet_id, status, created_at, submitted_at, updated_at)
				VALUES ($1, 'quota', $2, 'submitted', $3, $3, $3) RETURNING id`, fmt.Sprintf("Q-B-%d", i), id, now).Scan(&caseID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.DB.Exec(t.Context(), `INSERT INTO case_confirmations (case_id) VALUES ($1)`, caseID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := casework.SendConfirmations(t.Context(), e.DB, e.App.Jobs, 100); err != nil {
			t.Fatal(err)
		}
		var alone int
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			// Alone, it keeps the Message-ID the batch gave it.
			if err := e.DB.QueryRow(t.Context(), `SELECT COUNT(*) FROM river_job WHERE kind = 'send_mail' AND CAST(args AS TEXT) LIKE '%refused@example.test%'
				AND CAST(args AS TEXT) LIKE '%job-%-%-1@%'`).Scan(&alone); err != nil {
				t.Fatal(err)
			}
			if alone > 0 && len(relay.Delivered()) == 2 {
				break
			}
		}
		time.Sleep(200 * time.Millisecond) // time for a wrong second delivery to show
		if got := len(relay.Delivered()); got != 2 || alone != 1 {
			t.Fatalf("%d delivered, %d refused emails queued alone; want 2 and 1", got, alone)
		}
		if got := slices.Sorted(slices.Values(relay.Delivered())); !slices.Equal(got, []string{"one@example.test", "two@example.test"}) {
			t.Fatalf("delivered to %v", got)
		}
	}, apptest.WithSMTP(relay.URL))
}
