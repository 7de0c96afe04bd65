package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/emgek/emgek/internal/db"
)

// Report is what Verify found.
type Report struct {
	Sealed      int64    // rows in the chain
	Unsealed    int64    // rows not yet sealed (normal for a minute or so)
	Checkpoints int      // checkpoints checked
	Problems    []string // empty when the log is intact
}

// OK reports whether nothing was wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Verify checks every sealed row against its hash and its predecessor,
// the sequence for gaps, the head, and every checkpoint's signature (by a
// key in keys) and its agreement with the row at its place. A changed
// row is named by id; a chain recomputed after a change is caught by the
// first checkpoint that no longer matches, which names the rows between
// it and the last good one.
func Verify(ctx context.Context, d *db.DB, keys map[string]ed25519.PublicKey) (*Report, error) {
	rep := &Report{}
	bad := func(format string, a ...any) { rep.Problems = append(rep.Problems, fmt.Sprintf(format, a...)) }

	// The head first: rows and checkpoints a running sealer adds while we
	// read are past it and ignored, so a live server never looks tampered.
	var headSeq int64
	var headHash string
	if err := d.QueryRow(ctx, `SELECT seal_seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
		return nil, fmt.Errorf("audit.Verify head: %w", err)
	}

	rows, err := d.Query(ctx, `SELECT id, at, actor, action, object, ip, detail, seal_seq, hash FROM audit_events
		WHERE seal_seq IS NOT NULL AND seal_seq <= $1 ORDER BY seal_seq`, headSeq)
	if err != nil {
		return nil, fmt.Errorf("audit.Verify: %w", err)
	}
	hashAt := map[int64]string{} // seal_seq → stored hash
	idAt := map[int64]int64{}
	prev, want := Genesis, int64(1)
	for rows.Next() {
		var id, seq int64
		var at time.Time
		var e Event
		var stored string
		if err := rows.Scan(&id, &at, &e.Actor, &e.Action, &e.Object, &e.IP, &e.Detail, &seq, &stored); err != nil {
			rows.Close()
			return nil, fmt.Errorf("audit.Verify: %w", err)
		}
		if seq != want {
			bad("chain: expected position %d, found %d at row %d (rows missing or inserted)", want, seq, id)
		}
		if ChainHash(prev, id, at, e) != stored {
			bad("row %d (position %d): its content or its predecessor does not match its hash", id, seq)
		}
		hashAt[seq], idAt[seq] = stored, id
		prev, want = stored, seq+1
		rep.Sealed++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit.Verify: %w", err)
	}

	if headSeq != rep.Sealed || (headSeq > 0 && hashAt[headSeq] != headHash) {
		bad("head: position %d, hash %.12s… does not match the last sealed row", headSeq, headHash)
	}
	if err := d.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE seal_seq IS NULL OR seal_seq > $1`, headSeq).Scan(&rep.Unsealed); err != nil {
		return nil, fmt.Errorf("audit.Verify: %w", err)
	}

	cps, err := d.Query(ctx, `SELECT seal_seq, hash, key_id, signature FROM audit_checkpoints WHERE seal_seq <= $1 ORDER BY seal_seq, id`, headSeq)
	if err != nil {
		return nil, fmt.Errorf("audit.Verify checkpoints: %w", err)
	}
	defer cps.Close()
	lastGood := int64(0) // the last position a valid checkpoint vouches for
	for cps.Next() {
		var seq int64
		var hash, keyID, sigHex string
		if err := cps.Scan(&seq, &hash, &keyID, &sigHex); err != nil {
			return nil, fmt.Errorf("audit.Verify checkpoints: %w", err)
		}
		rep.Checkpoints++
		pub, ok := keys[keyID]
		sig, _ := hex.DecodeString(sigHex)
		switch {
		case !ok:
			bad("checkpoint at position %d is signed by unknown key %s", seq, keyID)
		case !ed25519.Verify(pub, checkpointMessage(seq, hash), sig):
			bad("checkpoint at position %d: the signature is not valid", seq)
		case hashAt[seq] != hash:
			bad("checkpoint at position %d no longer matches the chain: rows at positions %d to %d (ids %d to %d) were changed",
				seq, lastGood+1, seq, idAt[lastGood+1], idAt[seq])
		default:
			lastGood = seq
		}
	}
	if err := cps.Err(); err != nil {
		return nil, err
	}
	// The head itself must carry a valid checkpoint: otherwise deleting the
	// checkpoints after a change would hide a recomputed chain.
	if headSeq > 0 && lastGood != headSeq {
		bad("no valid checkpoint at the head (position %d): rows at positions %d to %d (ids %d to %d) cannot be trusted",
			headSeq, lastGood+1, headSeq, idAt[lastGood+1], idAt[headSeq])
	}
	return rep, nil
}
