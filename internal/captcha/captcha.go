// Package captcha is the anti-bot code on registration and password
// reset: six digits shown as a distorted image and spoken as audio (the
// non-visual path), single-use, valid for 20 minutes, kept in the
// database so any instance can check it. No third-party service is used.
package captcha

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	dchest "github.com/dchest/captcha"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/db"
)

const (
	digits = 6
	ttl    = 20 * time.Minute
)

// Service issues and checks codes.
type Service struct {
	DB  *db.DB
	Now func() time.Time
}

// New issues a fresh code and returns its id (expired ones are swept here).
func (s *Service) New(ctx context.Context) (string, error) {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	d := dchest.RandomDigits(digits)
	answer := make([]byte, len(d))
	for i, v := range d {
		answer[i] = '0' + v
	}
	now := s.Now().UTC()
	if _, err := s.DB.Exec(ctx, `DELETE FROM captchas WHERE expires_at < $1`, now); err != nil {
		return "", fmt.Errorf("captcha.New: %w", err)
	}
	if _, err := s.DB.Exec(ctx, `INSERT INTO captchas (id, answer, expires_at) VALUES ($1, $2, $3)`,
		id, string(answer), now.Add(ttl)); err != nil {
		return "", fmt.Errorf("captcha.New: %w", err)
	}
	return id, nil
}

// Verify checks the answer and uses the code up, right or wrong, so each
// code can be tried once. A wrong answer is a field error on "captcha".
func (s *Service) Verify(ctx context.Context, id, answer string) error {
	var want string
	err := s.DB.WriteRow(ctx, `DELETE FROM captchas WHERE id = $1 AND expires_at >= $2 RETURNING answer`,
		id, s.Now().UTC()).Scan(&want)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.Field("captcha", "captcha.expired")
	}
	if err != nil {
		return fmt.Errorf("captcha.Verify: %w", err)
	}
	if normalize(answer) == "" {
		return apperr.Field("captcha", "captcha.required")
	}
	if normalize(answer) != want {
		return apperr.Field("captcha", "captcha.wrong")
	}
	return nil
}

// Answer returns the digits of a code (for the tests that walk the forms).
func (s *Service) Answer(ctx context.Context, id string) (string, error) {
	var a string
	if err := s.DB.QueryRow(ctx, `SELECT answer FROM captchas WHERE id = $1`, id).Scan(&a); err != nil {
		return "", fmt.Errorf("captcha.Answer: %w", err)
	}
	return a, nil
}

func (s *Service) digits(ctx context.Context, id string) ([]byte, error) {
	a, err := s.Answer(ctx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.New(apperr.NotFound, "captcha.expired")
	}
	if err != nil {
		return nil, err
	}
	d := make([]byte, len(a))
	for i := range a {
		d[i] = a[i] - '0'
	}
	return d, nil
}

// WriteImage writes the code as a PNG.
func (s *Service) WriteImage(ctx context.Context, w io.Writer, id string) error {
	d, err := s.digits(ctx, id)
	if err != nil {
		return err
	}
	_, err = dchest.NewImage(id, d, 240, 80).WriteTo(w)
	return err
}

// WriteAudio writes the code spoken as WAV, in Russian for ru, ky and kk
// (the voices the library has) and English otherwise.
func (s *Service) WriteAudio(ctx context.Context, w io.Writer, id, lang string) error {
	d, err := s.digits(ctx, id)
	if err != nil {
		return err
	}
	voice := "en"
	if lang == "ru" || lang == "ky" || lang == "kk" {
		voice = "ru"
	}
	_, err = dchest.NewAudio(id, d, voice).WriteTo(w)
	return err
}

func normalize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r >= '０' && r <= '９' { // full-width digits
			return '0' + (r - '０')
		}
		return -1
	}, s)
}
