package web

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientAddress(t *testing.T) {
	k := &Kit{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	tests := []struct {
		peer, xff, want string
	}{
		{"203.0.113.5:1234", "", "203.0.113.5"},
		{"203.0.113.5:1234", "1.2.3.4", "203.0.113.5"},             // an untrusted peer cannot choose its address
		{"10.0.0.7:1234", "198.51.100.9", "198.51.100.9"},          // behind the load balancer
		{"10.0.0.7:1234", "1.2.3.4, 198.51.100.9", "198.51.100.9"}, // the client's own prefix is ignored
		{"10.0.0.7:1234", "198.51.100.9, 10.0.0.8", "198.51.100.9"},
		{"10.0.0.7:1234", "garbage", "10.0.0.7"},
		{"[2001:db8::1]:443", "", "2001:db8::1"},
	}
	for _, tt := range tests {
		var got string
		h := k.ClientAddress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = ClientIP(r) }))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.peer
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != tt.want {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", tt.peer, tt.xff, got, tt.want)
		}
	}
}
