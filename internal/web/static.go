package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
	"sync"
)

//go:embed static
var staticFS embed.FS

var (
	assetHashOnce sync.Once
	assetHashes   map[string]string
)

// assetURL returns /static/NAME?v=HASH; the hash changes with the content,
// so assets can be cached for a year.
func assetURL(name string) string {
	assetHashOnce.Do(func() {
		assetHashes = map[string]string{}
		_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := staticFS.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			assetHashes[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
			return nil
		})
	})
	return "/static/" + name + "?v=" + assetHashes[name]
}

// StaticHandler serves the embedded assets with long caching when the
// request carries a version, and with nosniff always.
func StaticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") != "" {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	})
}
