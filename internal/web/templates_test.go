package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/i18n"
)

// TestFramesFollowChrome: the layout's frame is reused only for the same
// chrome — a page seen by someone else, in another language, with
// another unread count, a form with problems or a one-time message gets
// its own frame, and the content and error summary are placed inside it.
func TestFramesFollowChrome(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewKit(slog.New(slog.DiscardHandler), cat, nil, "ru", "", false, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	render := func(lang string, u *Principal, path string, form *Form, flash string) string {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, path, nil)
		ctx := context.WithValue(r.Context(), keyLocalizer, cat.Localizer(lang))
		if u != nil {
			ctx = context.WithValue(ctx, keyUser, u)
		}
		r = r.WithContext(ctx)
		p := ErrorPage{Page: k.Page(r, "error.title"), Status: http.StatusNotFound, Message: "the page own message"}
		p.Form, p.Flash = form, flash
		w := httptest.NewRecorder()
		if err := k.Render(w, r, http.StatusNotFound, "error", &p); err != nil {
			t.Fatal(err)
		}
		return w.Body.String()
	}
	has := func(page, want string, yes bool) {
		t.Helper()
		if strings.Contains(page, want) != yes {
			t.Errorf("page contains %q: %v, want %v\n%s", want, !yes, yes, page)
		}
	}
	operator := &Principal{Kind: "staff", ID: 1, Role: "operator"}
	employer := &Principal{Kind: "cabinet", ID: 2, Role: "employer", Unread: 3}

	for range 2 { // the second round is served from the frames the first made
		anon := render("ru", nil, "/x", nil, "")
		has(anon, `href="/login"`, true)
		has(anon, "the page own message", true)
		has(anon, contentMark, false)
		has(anon, `<html lang="ru"`, true)

		has(render("en", nil, "/x", nil, ""), `<html lang="en"`, true)
		has(render("ru", nil, "/y?a=1", nil, ""), "next=%2fy%3fa%3d1", true)

		staff := render("ru", operator, "/x", nil, "")
		has(staff, `href="/office/inbox"`, true)
		has(staff, `href="/login"`, false)
		has(staff, `href="/office/staff"`, false)
		has(render("ru", &Principal{Kind: "staff", ID: 3, Role: "admin"}, "/x", nil, ""), `href="/office/staff"`, true)

		has(render("ru", employer, "/x", nil, ""), `govuk-tag--blue">3<`, true)
		has(render("ru", &Principal{Kind: "cabinet", ID: 2, Role: "employer", Unread: 4}, "/x", nil, ""), `govuk-tag--blue">4<`, true)

		bad := &Form{Errors: apperr.FieldErrors{"email": {Key: "form.required"}}}
		withErrors := render("ru", nil, "/x", bad, "")
		has(withErrors, "govuk-error-summary", true)
		has(withErrors, "<title>"+cat.Localizer("ru").T("error.title_prefix"), true)
		if strings.Index(withErrors, "govuk-error-summary") > strings.Index(withErrors, "the page own message") {
			t.Error("the error summary comes after the content")
		}
		has(render("ru", nil, "/x", nil, ""), "govuk-error-summary", false)
		has(render("ru", nil, "/x", nil, "flash.title"), "govuk-notification-banner", true)
	}
	long := "/x?q=" + strings.Repeat("a", maxFramedPath)
	has(render("ru", nil, long, nil, ""), strings.Repeat("a", maxFramedPath), true)
	if _, ok := k.templates.frames.m[chrome{Lang: "ru", TitleKey: "error.title", Path: long}]; ok {
		t.Error("a frame for a long address was kept")
	}
}
