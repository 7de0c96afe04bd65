package web

import (
	"encoding/gob"
	"maps"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
)

// TestSessionCodec: what sessions hold comes back as it went in; a
// session holding another kind of value goes through gob, and sessions
// written by gob are read; a damaged session is an error, not a session.
func TestSessionCodec(t *testing.T) {
	gob.Register(time.Time{}) // as NewSessions does
	deadline := time.Date(2026, 11, 30, 13, 0, 0, 123456789, time.UTC)
	values := map[string]any{
		"kind": "staff", "uid": int64(42), "member": int64(0), "n": -7, "eds_head": true, "off": false,
		"seen": time.Date(2026, 11, 30, 12, 59, 1, 5, time.FixedZone("+06", 6*3600)), "empty": "",
		"name": "Айгүл Асанова",
	}
	same := func(got map[string]any) bool {
		return maps.EqualFunc(got, values, func(a, b any) bool {
			if ta, ok := a.(time.Time); ok {
				tb, ok := b.(time.Time)
				return ok && ta.Equal(tb)
			}
			return a == b
		})
	}
	b, err := sessionCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	d, got, err := sessionCodec{}.Decode(b)
	if err != nil || !d.Equal(deadline) || !same(got) {
		t.Fatalf("round trip: %v %v %v, want %v %v", d, got, err, deadline, values)
	}

	old, err := scs.GobCodec{}.Encode(deadline, values)
	if err != nil {
		t.Fatal(err)
	}
	if d, got, err := (sessionCodec{}).Decode(old); err != nil || !d.Equal(deadline) || !same(got) {
		t.Fatalf("a gob session: %v %v %v", d, got, err)
	}

	other := map[string]any{"list": []string{"a"}}
	ob, err := sessionCodec{}.Encode(deadline, other)
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := (sessionCodec{}).Decode(ob); err != nil || len(got["list"].([]string)) != 1 {
		t.Fatalf("another kind of value: %v %v", got, err)
	}

	for n := range len(b) {
		if _, got, err := (sessionCodec{}).Decode(b[:n]); err == nil {
			t.Fatalf("%d of %d bytes decoded: %v", n, len(b), got)
		}
	}
	one, err := sessionCodec{}.Encode(deadline, map[string]any{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	one[len(one)-3] = 'z' // the type byte before "v"
	if _, got, err := (sessionCodec{}).Decode(one); err == nil {
		t.Fatalf("an unknown type decoded: %v", got)
	}
	if _, got, err := (sessionCodec{}).Decode(append(b, 0)); err == nil {
		t.Fatalf("a session with a byte too many decoded: %v", got)
	}
	// What the session manager uses: a session it cannot read is empty
	// and over (logged out), not an error on every page.
	if d, got, err := (tolerantCodec{}).Decode(one); err != nil || len(got) != 0 || d.After(time.Now()) {
		t.Fatalf("an unreadable session: %v %v %v, want empty and ended", d, got, err)
	}
	if d, got, err := (tolerantCodec{}).Decode(b); err != nil || !d.Equal(deadline) || !same(got) {
		t.Fatalf("a readable session through tolerantCodec: %v %v %v", d, got, err)
	}
}
