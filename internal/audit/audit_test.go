package audit_test

import (
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
	"github.com/emgek/emgek/internal/keyfile"
)

func setup(t *testing.T, d *db.DB) (*audit.Sealer, map[string]ed25519.PublicKey) {
	t.Helper()
	key, err := keyfile.Load(filepath.Join(t.TempDir(), "keys", "audit.pem"), true)
	if err != nil {
		t.Fatal(err)
	}
	return &audit.Sealer{DB: d, Key: key, Now: time.Now}, map[string]ed25519.PublicKey{key.ID: key.Public}
}

func record(t *testing.T, d *db.DB, n int) {
	t.Helper()
	for i := range n {
		if err := audit.Record(t.Context(), d, time.Now(), audit.Event{Actor: "staff:1", Action: "cabinet.activate",
			Object: fmt.Sprintf("cabinet:%d", i), IP: "203.0.113.5", Detail: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, d *db.DB, keys map[string]ed25519.PublicKey) *audit.Report {
	t.Helper()
	rep, err := audit.Verify(t.Context(), d, keys)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// disableGuard lets the test tamper as someone with the database owner's
// rights would: past the append-only triggers.
func disableGuard(t *testing.T, d *db.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`,
		`DROP TRIGGER audit_checkpoints_no_update`, `DROP TRIGGER audit_checkpoints_no_delete`}
	if d.Dialect == db.Postgres {
		stmts = []string{`ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`,
			`ALTER TABLE audit_checkpoints DISABLE TRIGGER audit_checkpoints_append_only`}
	}
	for _, s := range stmts {
		if _, err := d.Exec(t.Context(), s); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSealAndVerify(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		s, keys := setup(t, d)
		record(t, d, 5)
		if n, err := s.Seal(ctx); err != nil || n != 5 {
			t.Fatalf("sealed %d, %v", n, err)
		}
		record(t, d, 3)
		if rep := verify(t, d, keys); !rep.OK() || rep.Sealed != 5 || rep.Unsealed != 3 {
			t.Fatalf("report %+v", rep)
		}
		if n, err := s.Seal(ctx); err != nil || n != 3 {
			t.Fatalf("second seal %d, %v", n, err)
		}
		if rep := verify(t, d, keys); !rep.OK() || rep.Sealed != 8 || rep.Checkpoints != 2 {
			t.Fatalf("report %+v", rep)
		}
		if _, err := d.Exec(ctx, `UPDATE audit_events SET detail = 'changed' WHERE id = 2`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("changing a sealed row: %v, want refused", err)
		}
		if _, err := d.Exec(ctx, `DELETE FROM audit_events WHERE id = 2`); err == nil {
			t.Fatal("deleting an audit row was allowed")
		}
		record(t, d, 1)
		if _, err := d.Exec(ctx, `UPDATE audit_events SET detail = 'forged before sealing' WHERE seal_seq IS NULL`); err == nil {
			t.Fatal("changing an unsealed row was allowed")
		}
		if _, err := d.Exec(ctx, `DELETE FROM audit_checkpoints`); err == nil {
			t.Fatal("deleting checkpoints was allowed")
		}
		other, _ := setup(t, d)
		if rep := verify(t, d, map[string]ed25519.PublicKey{other.Key.ID: other.Key.Public}); rep.OK() {
			t.Fatal("checkpoints signed by another key were accepted")
		}
	})
}

// TestTampering: a changed row is named; a chain recomputed after the
// change is caught by the checkpoints.
func TestTampering(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		s, keys := setup(t, d)
		record(t, d, 4)
		s.Seal(ctx)
		record(t, d, 4)
		s.Seal(ctx)
		disableGuard(t, d)
		if _, err := d.Exec(ctx, `UPDATE audit_events SET actor = 'staff:666' WHERE id = 6`); err != nil {
			t.Fatal(err)
		}
		rep := verify(t, d, keys)
		if rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "row 6 ") {
			t.Fatalf("problems %v, want row 6 named", rep.Problems)
		}

		// Recompute every hash after the change, as a careful attacker would.
		rows, err := d.Query(ctx, `SELECT id, at, actor, action, object, ip, detail FROM audit_events ORDER BY seal_seq`)
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			id int64
			at time.Time
			e  audit.Event
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.at, &r.e.Actor, &r.e.Action, &r.e.Object, &r.e.IP, &r.e.Detail); err != nil {
				t.Fatal(err)
			}
			all = append(all, r)
		}
		rows.Close()
		prev := audit.Genesis
		for _, r := range all {
			prev = audit.ChainHash(prev, r.id, r.at, r.e)
			if _, err := d.Exec(ctx, `UPDATE audit_events SET hash = $1 WHERE id = $2`, prev, r.id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := d.Exec(ctx, `UPDATE audit_head SET hash = $1`, prev); err != nil {
			t.Fatal(err)
		}
		rep = verify(t, d, keys)
		text := strings.Join(rep.Problems, "\n")
		if rep.OK() || !strings.Contains(text, "checkpoint at position 8") || !strings.Contains(text, "ids 5 to 8") || strings.Contains(text, "position 4 ") {
			t.Fatalf("after recomputing the chain: %v", rep.Problems)
		}
		// Deleting the checkpoints the recomputed chain no longer matches
		// leaves the head without one: still caught.
		if _, err := d.Exec(ctx, `DELETE FROM audit_checkpoints WHERE seal_seq > 4`); err != nil {
			t.Fatal(err)
		}
		rep = verify(t, d, keys)
		if text := strings.Join(rep.Problems, "\n"); rep.OK() || !strings.Contains(text, "no valid checkpoint at the head") || !strings.Contains(text, "ids 5 to 8") {
			t.Fatalf("after deleting the later checkpoints: %v", rep.Problems)
		}
	})
}

// TestLateCommit: a row that commits after rows with higher ids were
// sealed joins the chain in the next seal (PostgreSQL: SQLite has one
// writer, so its commits are in id order).
func TestLateCommit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		if d.Dialect != db.Postgres {
			return
		}
		ctx := t.Context()
		s, keys := setup(t, d)
		inserted, release, done := make(chan struct{}), make(chan struct{}), make(chan error)
		go func() {
			done <- d.Transact(ctx, func(tx *db.DB) error {
				if err := audit.Record(ctx, tx, time.Now(), audit.Event{Actor: "slow", Action: "x", Object: "o"}); err != nil {
					return err
				}
				close(inserted)
				<-release
				return nil
			})
		}()
		<-inserted
		record(t, d, 2) // ids after the slow row's, committed first
		if n, err := s.Seal(ctx); err != nil || n != 2 {
			t.Fatalf("sealed %d, %v", n, err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n, err := s.Seal(ctx); err != nil || n != 1 {
			t.Fatalf("late row: sealed %d, %v", n, err)
		}
		if rep := verify(t, d, keys); !rep.OK() || rep.Sealed != 3 {
			t.Fatalf("report %+v", rep)
		}
	})
}
