package cabinet_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/document"
)

// TestReplaceDocument: three replacements leave four versions, each
// downloadable by its owner and by no other cabinet.
func TestReplaceDocument(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		owner, other := "docs@example.test", "other-docs@example.test"
		activeEmployer(t, e, owner)
		activeEmployer(t, e, other)
		c := e.Client()
		c.Login(owner, apptest.Password)
		// An "other" document: those are replaced at once (a certificate,
		// photo or passport page goes through the ministry's review).
		const draft = "0123456789abcdef0123456789abcdef"
		if _, err := e.App.Documents.SaveDraft(t.Context(), draft, document.Other, "contract.pdf", "application/pdf", bytes.NewReader(apptest.PDF)); err != nil {
			t.Fatal(err)
		}
		if err := e.DB.Transact(t.Context(), func(tx *db.DB) error { return document.Attach(t.Context(), tx, draft, e.CabinetID(owner)) }); err != nil {
			t.Fatal(err)
		}
		docs, err := e.App.Documents.ByCabinet(t.Context(), e.CabinetID(owner))
		if err != nil || len(docs) != 2 || docs[1].Kind != document.Other {
			t.Fatalf("docs %v %v", docs, err)
		}
		if r := c.PostMultipart("/cabinet/documents/"+strconv.FormatInt(docs[0].ID, 10)+"/replace", nil,
			[]apptest.File{{Field: "file", Name: "c.pdf", Content: apptest.PDF}}); r.Status != http.StatusForbidden {
			t.Fatalf("replacing the certificate directly: %d, want 403 (it needs review)", r.Status)
		}
		current := docs[1].ID
		for i := 1; i <= 3; i++ {
			content := append(bytes.Clone(apptest.PDF), []byte(fmt.Sprintf("%% version %d\n", i+1))...)
			r := c.PostMultipart("/cabinet/documents/"+strconv.FormatInt(current, 10)+"/replace", nil,
				[]apptest.File{{Field: "file", Name: fmt.Sprintf("certificate-v%d.pdf", i+1), Content: content}})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("replacement %d: %d\n%s", i, r.Status, r.Body)
			}
			docs, _ = e.App.Documents.ByCabinet(t.Context(), e.CabinetID(owner))
			if len(docs) != 2 || docs[1].ID == current || docs[1].Versions != i+1 {
				t.Fatalf("after replacement %d: %+v", i, docs)
			}
			current = docs[1].ID
		}
		// Replacing an old version again is refused: someone already did.
		history := c.Get("/cabinet/documents/" + strconv.FormatInt(current, 10) + "/versions")
		if history.Status != http.StatusOK || strings.Count(history.Body, `href="/cabinet/documents/`) != 4 {
			t.Fatalf("history: %d\n%s", history.Status, history.Body)
		}
		versions, err := e.App.Documents.History(t.Context(), e.CabinetID(owner), docs[1].RootID)
		if err != nil || len(versions) != 4 {
			t.Fatalf("versions %v %v", versions, err)
		}
		nosy := e.Client()
		nosy.Login(other, apptest.Password)
		for i, v := range versions {
			path := "/cabinet/documents/" + strconv.FormatInt(v.ID, 10)
			r := c.Get(path)
			if r.Status != http.StatusOK || (i < 3 && !strings.Contains(r.Body, fmt.Sprintf("version %d", 4-i))) {
				t.Errorf("version %d: %d", v.ID, r.Status)
			}
			if r := nosy.Get(path); r.Status != http.StatusNotFound {
				t.Errorf("another cabinet downloading version %d: %d, want 404", v.ID, r.Status)
			}
		}
		if r := nosy.Get("/cabinet/documents/" + strconv.FormatInt(current, 10) + "/versions"); r.Status != http.StatusNotFound {
			t.Errorf("another cabinet's history: %d", r.Status)
		}
		old := "/cabinet/documents/" + strconv.FormatInt(versions[1].ID, 10) + "/replace"
		if r := c.PostMultipart(old, nil, []apptest.File{{Field: "file", Name: "late.pdf", Content: apptest.PDF}}); r.Status != http.StatusConflict {
			t.Errorf("replacing a superseded version: %d, want 409", r.Status)
		}
		if r := c.PostMultipart("/cabinet/documents/"+strconv.FormatInt(current, 10)+"/replace", nil, nil); r.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(fieldError(r.Body, "file"), "Choose a file") {
			t.Errorf("no file: %d", r.Status)
		}
	})
}

func TestDownloadHeaders(t *testing.T) {
	e := apptest.New(t, "sqlite")
	email := "headers@example.test"
	activeEmployer(t, e, email)
	c := e.Client()
	c.Login(email, apptest.Password)
	docs, _ := e.App.Documents.ByCabinet(t.Context(), e.CabinetID(email))
	path := "/cabinet/documents/" + strconv.FormatInt(docs[0].ID, 10)
	view, dl := c.Get(path), c.Get(path+"?download=1")
	if !strings.HasPrefix(view.Header.Get("Content-Disposition"), "inline") || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("view %q, download %q", view.Header.Get("Content-Disposition"), dl.Header.Get("Content-Disposition"))
	}
	for _, r := range []*apptest.Response{view, dl} {
		if r.Header.Get("Content-Security-Policy") != "sandbox" || r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Body != string(apptest.PDF) {
			t.Fatalf("headers %v", r.Header)
		}
	}
}
