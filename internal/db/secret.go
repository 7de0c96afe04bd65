package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Secret returns the named random secret shared by every instance,
// creating it on first use (32 random bytes).
func (d *DB) Secret(ctx context.Context, name string) ([]byte, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	if _, err := d.Exec(ctx, `INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
		name, hex.EncodeToString(b), time.Now().UTC()); err != nil {
		return nil, fmt.Errorf("db.Secret: %w", err)
	}
	var v string
	if err := d.WriteRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&v); err != nil {
		return nil, fmt.Errorf("db.Secret: %w", err)
	}
	return hex.DecodeString(v)
}
