package web

import (
	"bufio"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/emgek/emgek/internal/apperr"
)

// Upload limits (issue: at most 10 MB a file, PDF, JPEG or PNG by content).
const (
	MaxFileBytes    = 10 << 20
	maxFieldBytes   = 64 << 10
	maxRequestBytes = 120 << 20 // several files at the limit, and a margin
	maxParts        = 64
)

// AllowedTypes are the content types accepted, as sniffed from the bytes.
var AllowedTypes = []string{"application/pdf", "image/jpeg", "image/png"}

// Upload is a file accepted into storage, shown as "uploaded: name [replace]".
type Upload struct {
	ID          int64
	Field       string
	Name        string
	ContentType string
	Size        int64
}

// FilePart is a file being received: Body yields at most MaxFileBytes and
// then fails with ErrTooLarge.
type FilePart struct {
	Field       string
	Filename    string
	ContentType string // sniffed
	Body        io.Reader
}

// ErrTooLarge is what a FilePart's Body returns past the limit.
var ErrTooLarge = errors.New("file too large")

// SaveFunc stores one accepted file and returns what to show for it.
type SaveFunc func(p FilePart) (Upload, error)

// ParseMultipart reads a multipart form part by part, without buffering
// files: text fields go to the returned values; each file is sniffed and,
// when its type is allowed, handed to save, limited per part. A refused or
// oversized file becomes a field error and the rest of the form is still
// read, so nothing typed is lost. Accepted files are returned by field.
// onField, if not nil, sees each text field as it arrives (a form puts
// its draft id first, so the files after it can join that draft).
func ParseMultipart(w http.ResponseWriter, r *http.Request, save SaveFunc, onField func(name, value string)) (url.Values, map[string][]Upload, apperr.FieldErrors, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, nil, apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
	}
	values := url.Values{}
	files := map[string][]Upload{}
	var fe apperr.FieldErrors
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return values, files, fe, uploadErr(err)
		}
		if n >= maxParts {
			part.Close()
			return values, files, fe, apperr.New(apperr.Invalid, "upload.too_many_parts")
		}
		name := part.FormName()
		if name == "" {
			part.Close()
			continue
		}
		if part.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			part.Close()
			if err != nil {
				return values, files, fe, uploadErr(err)
			}
			if len(b) > maxFieldBytes {
				fe.Add(name, "form.too_long")
				continue
			}
			v := strings.ToValidUTF8(string(b), "")
			values.Add(name, v)
			if onField != nil {
				onField(name, v)
			}
			continue
		}
		up, ferr, err := receiveFile(part, name, save)
		part.Close()
		if err != nil {
			return values, files, fe, err
		}
		if ferr != "" {
			fe.Add(name, ferr)
			continue
		}
		if up != nil {
			files[name] = append(files[name], *up)
		}
	}
	return values, files, fe, nil
}

// receiveFile sniffs and stores one file part. It returns a field error key
// for a refused file, or an error that ends the whole request.
func receiveFile(part io.Reader, field string, save SaveFunc) (*Upload, string, error) {
	br := bufio.NewReaderSize(part, 512)
	head, err := br.Peek(512)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, "", uploadErr(err)
	}
	if len(head) == 0 {
		return nil, "", nil // an empty file input: nothing chosen
	}
	ct, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	if !slices.Contains(AllowedTypes, ct) {
		_, _ = io.Copy(io.Discard, br)
		return nil, "upload.bad_type", nil
	}
	lr := &limitReader{r: br, left: MaxFileBytes}
	up, err := save(FilePart{Field: field, Filename: cleanName(filenameOf(part)), ContentType: ct, Body: lr})
	if errors.Is(err, ErrTooLarge) || lr.over {
		_, _ = io.Copy(io.Discard, br)
		return nil, "upload.too_large", nil
	}
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid { // refused by the store (too many files)
		_, _ = io.Copy(io.Discard, br)
		return nil, e.Key, nil
	}
	if err != nil {
		return nil, "", err
	}
	return &up, "", nil
}

func filenameOf(r io.Reader) string {
	if p, ok := r.(interface{ FileName() string }); ok {
		return p.FileName()
	}
	return ""
}

// cleanName keeps a display name: no path, no control characters, short.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 {
			return -1
		}
		return r
	}, name)
	for len(name) > 120 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" {
		name = "file"
	}
	return name
}

type limitReader struct {
	r    io.Reader
	left int64
	over bool
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Peek one more byte to tell "exactly at the limit" from "over".
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			l.over = true
			return 0, ErrTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func uploadErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.Wrap(apperr.Invalid, "upload.request_too_large", err)
	}
	return apperr.Wrap(apperr.Invalid, "upload.bad_form", err)
}
