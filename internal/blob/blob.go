// Package blob stores files (uploads, issued PDFs) under random keys: in a
// folder by default, in S3-compatible object storage in production, where
// several emgek instances share the files.
package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// ErrNotFound is returned by Get for a key that is not stored.
var ErrNotFound = errors.New("blob: not found")

// Store puts, gets and deletes files by key.
type Store interface {
	// Put stores r under key; size is -1 when unknown.
	Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	Delete(ctx context.Context, key string) error
}

// NewKey returns a fresh random key with a readable prefix ("doc/…").
func NewKey(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return prefix + "/" + hex.EncodeToString(b)
}

// Open returns the store for a URL: "s3://KEY:SECRET@HOST[:PORT]/BUCKET[?insecure=1&region=R]"
// or a folder path.
func Open(raw string) (Store, error) {
	if !strings.HasPrefix(raw, "s3://") {
		return NewFolder(raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("blob.Open: %w", err)
	}
	secret, _ := u.User.Password()
	bucket := strings.Trim(u.Path, "/")
	if bucket == "" || u.User.Username() == "" {
		return nil, errors.New("blob.Open: want s3://KEY:SECRET@HOST/BUCKET")
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:  credentials.NewStaticV4(u.User.Username(), secret, ""),
		Secure: u.Query().Get("insecure") == "",
		Region: u.Query().Get("region"),
	})
	if err != nil {
		return nil, fmt.Errorf("blob.Open: %w", err)
	}
	return &S3{c: c, bucket: bucket}, nil
}

// Folder keeps files below a directory.
type Folder struct{ dir string }

// NewFolder creates the directory if needed.
func NewFolder(dir string) (*Folder, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("blob.NewFolder: %w", err)
	}
	return &Folder{dir: dir}, nil
}

func (f *Folder) path(key string) (string, error) {
	if key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") {
		return "", fmt.Errorf("blob: bad key %q", key)
	}
	return filepath.Join(f.dir, filepath.FromSlash(key)), nil
}

// Put writes to a temporary file and renames it, so a crash never leaves
// half a file under a key.
func (f *Folder) Put(_ context.Context, key string, r io.Reader, _ int64, _ string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return fmt.Errorf("blob.Put: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".upload-*")
	if err != nil {
		return fmt.Errorf("blob.Put: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		return fmt.Errorf("blob.Put: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("blob.Put: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("blob.Put: %w", err)
	}
	return os.Rename(tmp.Name(), p)
}

// Get opens the file of key.
func (f *Folder) Get(_ context.Context, key string) (io.ReadCloser, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return file, err
}

// Delete removes the file of key; a missing file is not an error.
func (f *Folder) Delete(_ context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// S3 keeps files in a bucket of S3-compatible object storage.
type S3 struct {
	c      *minio.Client
	bucket string
}

// Put uploads r.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, size int64, contentType string) error {
	// A fixed part size: with an unknown size minio-go would otherwise
	// allocate a buffer sized for a 5 TiB object.
	_, err := s.c.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{ContentType: contentType, PartSize: 16 << 20})
	if err != nil {
		return fmt.Errorf("blob.Put s3: %w", err)
	}
	return nil
}

// Get downloads key.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	o, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("blob.Get s3: %w", err)
	}
	if _, err := o.Stat(); err != nil {
		o.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("blob.Get s3: %w", err)
	}
	return o, nil
}

// Delete removes key.
func (s *S3) Delete(ctx context.Context, key string) error {
	return s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{})
}
