package verify_test

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/blob"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
	"github.com/emgek/emgek/internal/keyfile"
	"github.com/emgek/emgek/internal/verify"
)

func TestTokens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "documents.pem")
	key, err := keyfile.Load(path, true)
	if err != nil {
		t.Fatal(err)
	}
	s := verify.NewSigner(key)
	token := s.Token(42)
	if id, err := s.Check(token); err != nil || id != 42 {
		t.Fatalf("Check = %d, %v", id, err)
	}
	// After a restart the key is read from the same file: old QR codes hold.
	again, err := keyfile.Load(path, false)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := verify.NewSigner(again).Check(token); err != nil || id != 42 {
		t.Fatalf("after a restart: %d, %v", id, err)
	}
	// One character changed anywhere is a forgery.
	for i := range token {
		if token[i] == '.' {
			continue
		}
		b := []byte(token)
		b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
		if id, err := s.Check(string(b)); !errors.Is(err, verify.ErrForged) {
			t.Fatalf("changed at %d (%s): %d, %v; want forged", i, b, id, err)
		}
	}
	other, _ := keyfile.Load(filepath.Join(t.TempDir(), "other.pem"), true)
	if _, err := verify.NewSigner(other).Check(token); !errors.Is(err, verify.ErrForged) {
		t.Fatal("a token of an unknown key was accepted")
	}
	if _, err := verify.NewSigner(other, key).Check(token); err != nil {
		t.Fatalf("a token of an older, configured key: %v", err)
	}
}

func TestIssueOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		key, _ := keyfile.Load(filepath.Join(t.TempDir(), "k.pem"), true)
		blobs, _ := blob.NewFolder(t.TempDir())
		is := &verify.Issuer{DB: d, Blobs: blobs, Signer: verify.NewSigner(key), BaseURL: "https://portal.example", Now: time.Now}
		var cab, caseID int64
		now := time.Now().UTC()
		if err := d.WriteRow(t.Context(), `INSERT INTO cabinets (kind, status, email, password_hash, phone, lang, created_at, password_changed_at)
			VALUES ('employer', 'active', 'i@example.test', '', '1', 'ru', $1, $1) RETURNING id`, now).Scan(&cab); err != nil {
			t.Fatal(err)
		}
		if err := d.WriteRow(t.Context(), `INSERT INTO cases (service, cabinet_id, status, created_at, updated_at) VALUES ('quota', $1, 'decided', $2, $2) RETURNING id`,
			cab, now).Scan(&caseID); err != nil {
			t.Fatal(err)
		}
		renders := 0
		render := func(w io.Writer, url string) error {
			renders++
			_, err := fmt.Fprintf(w, "%%PDF-1.4 rendered %d for %s", renders, url)
			return err
		}
		a, first, err := is.Issue(t.Context(), "quota_extract", caseID, "ky", render)
		if err != nil {
			t.Fatal(err)
		}
		b, second, err := is.Issue(t.Context(), "quota_extract", caseID, "ky", render)
		if err != nil || string(first) != string(second) || a.SHA256 != b.SHA256 || renders != 1 {
			t.Fatalf("issued twice differently: %q %q renders=%d %v", first, second, renders, err)
		}
		if _, _, err := is.Issue(t.Context(), "quota_extract", caseID, "en", render); err != nil || renders != 2 {
			t.Fatalf("another language: renders=%d %v", renders, err)
		}
		id, err := is.Signer.Check(string(first[len(first)-len(is.Signer.Token(a.ID)):]))
		if err != nil || id != a.ID {
			t.Fatalf("the QR's token names document %d (%v), want %d", id, err, a.ID)
		}
	})
}
