// Package keyfile keeps the Ed25519 keys Emgek signs with — the audit
// log's checkpoints, the verification tokens of printed documents — each
// in a PEM file outside the database, so whoever can write the database
// cannot also re-sign. A key is named by an id derived from its public
// key, so keys can rotate and old signatures still say which key made them.
package keyfile

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Key is an Ed25519 key with its id.
type Key struct {
	ID      string // first 8 bytes of SHA-256 of the public key, hex
	Private ed25519.PrivateKey
	Public  ed25519.PublicKey
}

// Load reads the key from path; when the file does not exist it
// creates one (mode 0600) if create is set, and fails otherwise. Several
// instances must share one file.
func Load(path string, create bool) (*Key, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !create {
		return nil, fmt.Errorf("key %s does not exist: create it once with `emgek keygen` and give every instance the same file", path)
	}
	if errors.Is(err, os.ErrNotExist) {
		_, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return nil, gerr
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		b = pem.EncodeToMemory(&pem.Block{Type: "EMGEK ED25519 SEED", Bytes: priv.Seed()})
		// Written whole to a temporary file, then linked into place: another
		// process never reads half a key, and the first to link wins.
		tmp, err := os.CreateTemp(filepath.Dir(path), ".key-*")
		if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		defer os.Remove(tmp.Name())
		if err := tmp.Chmod(0o600); err != nil {
			tmp.Close()
			return nil, fmt.Errorf("key: %w", err)
		}
		if _, err := tmp.Write(b); err != nil {
			tmp.Close()
			return nil, fmt.Errorf("key: %w", err)
		}
		if err := tmp.Sync(); err != nil {
			tmp.Close()
			return nil, fmt.Errorf("key: %w", err)
		}
		if err := tmp.Close(); err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
		if err := os.Link(tmp.Name(), path); errors.Is(err, os.ErrExist) {
			return Load(path, false) // another process made it first
		} else if err != nil {
			return nil, fmt.Errorf("key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || len(block.Bytes) != ed25519.SeedSize {
		return nil, fmt.Errorf("key %s: not an Emgek key", path)
	}
	priv := ed25519.NewKeyFromSeed(block.Bytes)
	pub := priv.Public().(ed25519.PublicKey)
	sum := sha256.Sum256(pub)
	return &Key{ID: hex.EncodeToString(sum[:8]), Private: priv, Public: pub}, nil
}
