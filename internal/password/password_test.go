package password

import (
	"strings"
	"testing"
)

func TestProblem(t *testing.T) {
	for pw, want := range map[string]string{
		"short":                    "password.too_short",
		"correct horse battery":    "",
		"Password1234":             "password.common",
		"йцукенгшщзхъ":             "password.common",
		"aaaaaaaaaaaaaaaa":         "password.common",
		"abcabcabcabcabc":          "password.common",
		strings.Repeat("xy1z", 33): "password.too_long",
		"ҚазақстанҚырғызстан2026!": "",
		"тринадцать символов":      "",
	} {
		if got := Problem(pw); got != want {
			t.Errorf("Problem(%q) = %q, want %q", pw, got, want)
		}
	}
}

func TestHashCheck(t *testing.T) {
	ctx := t.Context()
	h, err := Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q does not use the agreed parameters", h)
	}
	h2, _ := Hash(ctx, "correct horse battery staple")
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery staple": true, "correct horse battery stapl": false, "": false} {
		if ok, err := Check(ctx, h, pw); err != nil || ok != want {
			t.Errorf("Check(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	if ok, err := Check(ctx, "", "anything"); ok || err != nil {
		t.Errorf("an empty hash matched: %v %v", ok, err)
	}
}
