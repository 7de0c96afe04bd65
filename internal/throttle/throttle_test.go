package throttle

import "testing"

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.5":          "203.0.113.5",
		"::ffff:203.0.113.5":   "203.0.113.5",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"not an address":       "not an address",
	} {
		if got := addressKey(in); got != want {
			t.Errorf("addressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDelay(t *testing.T) {
	p := Policy{Free: 4, Base: 2e9, Max: 10e9}
	for n, want := range map[int]float64{1: 0, 4: 0, 5: 2, 6: 4, 7: 8, 8: 10, 50: 10} {
		if got := p.delay(n).Seconds(); got != want {
			t.Errorf("delay(%d) = %vs, want %vs", n, got, want)
		}
	}
}
