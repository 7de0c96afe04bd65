// Package password hashes and checks passwords with argon2id (m=19 MiB,
// t=2, p=1, the OWASP minimum), at most one hash per core at a time so a
// burst of logins cannot exhaust memory, and judges new passwords.
package password

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

const (
	memoryKiB = 19 * 1024
	timeCost  = 2
	threads   = 1
	keyLen    = 32
	saltLen   = 16

	// MinLength and MaxLength bound a new password, in characters.
	MinLength = 12
	MaxLength = 128
)

var slots = make(chan struct{}, runtime.NumCPU())

func acquire(ctx context.Context) error {
	select {
	case slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func release() { <-slots }

// Hash returns an encoded argon2id hash of pw.
func Hash(ctx context.Context, pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	if err := acquire(ctx); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, timeCost, memoryKiB, threads, keyLen)
	release()
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, timeCost, threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// Check reports whether pw matches the encoded hash. An empty hash (an
// unknown account, or one without a password yet) never matches, after
// the same work as a real check, so timing does not tell accounts apart.
func Check(ctx context.Context, encoded, pw string) (bool, error) {
	if encoded == "" {
		_, _ = Hash(ctx, pw)
		return false, nil
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errors.New("password: unknown hash format")
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, fmt.Errorf("password: %w", err)
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, fmt.Errorf("password: %w", err)
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil {
		return false, fmt.Errorf("password: %w", err)
	}
	if err := acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	release()
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

//go:embed common.txt
var commonList string

var common = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonList))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// Problem returns the translation id of what is wrong with a new password,
// or "" when it is acceptable.
func Problem(pw string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinLength:
		return "password.too_short"
	case n > MaxLength:
		return "password.too_long"
	case common[strings.ToLower(pw)] || isRepetitive(pw):
		return "password.common"
	}
	return ""
}

// isRepetitive catches "aaaaaaaaaaaa" and "123412341234" style passwords.
func isRepetitive(pw string) bool {
	r := []rune(pw)
	for period := 1; period <= 4; period++ {
		same := true
		for i := period; i < len(r); i++ {
			if r[i] != r[i-period] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}
