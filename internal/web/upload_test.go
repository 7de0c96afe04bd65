package web

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
)

func multipartRequest(t *testing.T, fields [][2]string, files map[string][]byte) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	for name, content := range files {
		w, _ := mw.CreateFormFile(name, name+".pdf")
		_, _ = w.Write(content)
	}
	_ = mw.WriteField("after", "kept")
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func TestParseMultipart(t *testing.T) {
	pdf := []byte("%PDF-1.4 hello")
	atLimit := append([]byte("%PDF-1.4"), bytes.Repeat([]byte{' '}, MaxFileBytes-8)...)
	overLimit := append(atLimit, ' ')
	tests := []struct {
		name    string
		content []byte
		wantErr string // field error key, "" when accepted
	}{
		{"pdf", pdf, ""},
		{"exactly 10 MB", atLimit, ""},
		{"one byte over", overLimit, "upload.too_large"},
		{"executable named .pdf", []byte("MZ\x90\x00 this is a program"), "upload.bad_type"},
		{"html", []byte("<html><script>alert(1)</script></html>"), "upload.bad_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stored int64
			r := multipartRequest(t, [][2]string{{"name", "Асанов"}}, map[string][]byte{"doc": tt.content})
			values, files, fe, err := ParseMultipart(httptest.NewRecorder(), r, func(p FilePart) (Upload, error) {
				n, err := io.Copy(io.Discard, p.Body)
				stored = n
				return Upload{Name: p.Filename, Size: n}, err
			}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if values.Get("name") != "Асанов" || values.Get("after") != "kept" {
				t.Errorf("fields lost: %v", values)
			}
			if got := fe["doc"].Key; got != tt.wantErr {
				t.Fatalf("field error %q, want %q", got, tt.wantErr)
			}
			if tt.wantErr == "" && (len(files["doc"]) != 1 || stored != int64(len(tt.content))) {
				t.Fatalf("stored %d of %d bytes, files %v", stored, len(tt.content), files)
			}
			if tt.wantErr != "" && len(files["doc"]) != 0 {
				t.Fatalf("a refused file was kept: %v", files)
			}
		})
	}
}

func TestDateValue(t *testing.T) {
	v := map[string][]string{"d-day": {"7"}, "d-month": {"3"}, "d-year": {"1990"}, "x-day": {"31"}, "x-month": {"2"}, "x-year": {"2000"}, "y-day": {"1"}}
	for name, want := range map[string]string{"d": "1990-03-07", "x": "invalid", "y": "invalid", "none": ""} {
		if got := DateValue(v, name); got != want {
			t.Errorf("DateValue(%s) = %q, want %q", name, got, want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{"/cabinet": "/cabinet", "//evil.example": "/", "https://evil.example": "/", "/\\evil": "/", "": "/", "cabinet": "/"} {
		if got := LocalPath(in, "/"); got != want {
			t.Errorf("LocalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogPathHidesTokens(t *testing.T) {
	for in, want := range map[string]string{
		"/register/confirm/abcDEF123": "/register/confirm/…",
		"/password/reset/xyz":         "/password/reset/…",
		"/office/invite/tok":          "/office/invite/…",
		"/cabinet":                    "/cabinet",
	} {
		if got := logPath(in); got != want {
			t.Errorf("logPath(%q) = %q, want %q", in, got, want)
		}
	}
}
