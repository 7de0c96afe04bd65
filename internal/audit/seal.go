package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/keyfile"
)

// The chain: writers insert rows with no hash, never touching a shared
// head, so they never wait for each other. The sealer — one at a time,
// holding the head row — takes the committed rows not yet sealed in id
// order, gives each the next seal_seq and the hash
//
//	hash(n) = SHA-256(hash(n-1) ‖ canonical(row n))
//
// and records a checkpoint: the head (seal_seq, hash) signed with the
// audit key. A row that commits late (a lower id than rows already
// sealed) is simply sealed in the next batch. Changing a sealed row breaks
// its hash; recomputing the chain after a change breaks the checkpoints,
// which cannot be re-signed without the key.

// Genesis is the hash before the first row.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// canonical is the text of a row that its hash covers.
func canonical(id int64, at time.Time, e Event) string {
	fields := []string{strconv.FormatInt(id, 10), at.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Object, e.IP, e.Detail}
	for i, f := range fields {
		fields[i] = strconv.Quote(f)
	}
	return strings.Join(fields, "\n")
}

// ChainHash is the hash of a row given its predecessor's.
func ChainHash(prev string, id int64, at time.Time, e Event) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write([]byte(canonical(id, at, e)))
	return hex.EncodeToString(h.Sum(nil))
}

func checkpointMessage(seq int64, hash string) []byte {
	return []byte("emgek audit checkpoint\n" + strconv.FormatInt(seq, 10) + "\n" + hash)
}

// Sealer chains committed rows.
type Sealer struct {
	DB  *db.DB
	Key *keyfile.Key
	Now func() time.Time
}

// Seal chains every committed unsealed row and records a checkpoint per
// batch; it returns how many rows it sealed.
func (s *Sealer) Seal(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.sealBatch(ctx, 1000)
		total += n
		if err != nil || n < 1000 {
			return total, err
		}
	}
}

func (s *Sealer) sealBatch(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.DB.Transact(ctx, func(tx *db.DB) error {
		// Taking the head row first makes sealers run one at a time.
		var seq int64
		var head string
		if err := tx.WriteRow(ctx, `UPDATE audit_head SET seal_seq = seal_seq WHERE id = 1 RETURNING seal_seq, hash`).Scan(&seq, &head); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT id, at, actor, action, object, ip, detail FROM audit_events
			WHERE seal_seq IS NULL ORDER BY id LIMIT $1`, limit)
		if err != nil {
			return err
		}
		type row struct {
			id int64
			at time.Time
			e  Event
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.at, &r.e.Actor, &r.e.Action, &r.e.Object, &r.e.IP, &r.e.Detail); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(batch) == 0 {
			return err
		}
		for _, r := range batch {
			seq++
			head = ChainHash(head, r.id, r.at, r.e)
			if _, err := tx.Exec(ctx, `UPDATE audit_events SET seal_seq = $1, hash = $2 WHERE id = $3`, seq, head, r.id); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE audit_head SET seal_seq = $1, hash = $2 WHERE id = 1`, seq, head); err != nil {
			return err
		}
		sig := ed25519.Sign(s.Key.Private, checkpointMessage(seq, head))
		_, err = tx.Exec(ctx, `INSERT INTO audit_checkpoints (seal_seq, hash, key_id, signature, created_at) VALUES ($1, $2, $3, $4, $5)`,
			seq, head, s.Key.ID, hex.EncodeToString(sig), s.Now().UTC())
		n = len(batch)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("audit.Seal: %w", err)
	}
	return n, nil
}
