package document_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/apptest"
	"github.com/emgek/emgek/internal/document"
)

// TestDrafts: a single kind is replaced, a draft holds at most 20 files,
// and abandoned drafts are swept after a day with their files.
func TestDrafts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		docs := e.App.Documents
		save := func(draft string, kind document.Kind, name string) (document.Document, error) {
			return docs.SaveDraft(ctx, draft, kind, name, "application/pdf", bytes.NewReader(apptest.PDF))
		}
		const a, b = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		first, err := save(a, document.Photo, "one.pdf")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := save(a, document.Photo, "two.pdf"); err != nil {
			t.Fatal(err)
		}
		list, err := docs.Draft(ctx, a)
		if err != nil || len(list) != 1 || list[0].Filename != "two.pdf" {
			t.Fatalf("after replacing the photo: %v %v", list, err)
		}
		if _, err := docs.Open(ctx, first); err == nil {
			t.Fatal("the replaced file is still stored")
		}
		for i := range document.MaxDraftFiles - 1 {
			if _, err := save(a, document.Other, "x.pdf"); err != nil {
				t.Fatalf("file %d: %v", i, err)
			}
		}
		if _, err := save(a, document.Other, "one too many.pdf"); apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("the 21st file: %v, want refused", err)
		}

		e.Advance(12 * time.Hour)
		if _, err := save(b, document.Photo, "recent.pdf"); err != nil {
			t.Fatal(err)
		}
		e.Advance(13 * time.Hour) // a is 25 hours old, b 13
		if err := docs.SweepDrafts(ctx); err != nil {
			t.Fatal(err)
		}
		if list, _ := docs.Draft(ctx, a); len(list) != 0 {
			t.Fatalf("%d files of the abandoned draft remain", len(list))
		}
		if list, _ := docs.Draft(ctx, b); len(list) != 1 {
			t.Fatalf("the recent draft lost its file: %v", list)
		}
	})
}
