package ncalayer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/emgek/emgek/internal/devpki"
	"github.com/emgek/emgek/internal/eds"
)

const (
	authEKU = "1.3.6.1.5.5.7.3.2"
	signEKU = "1.3.6.1.5.5.7.3.4"
)

var people = []devpki.Person{
	{Name: "citizen", IIN: "900101300123", Surname: "ТЕСТОВ", GivenName: "АЙДАР", Roles: []eds.Role{eds.Individual}},
	{Name: "head", IIN: "800202400234", BIN: "123456789021", Surname: "БАСШЫ", GivenName: "АСАН",
		OrgName: `ТОО "ДЕМО"`, Roles: []eds.Role{eds.Organisation, eds.Head}},
}

// setup starts a stand-in for two people and returns it, its URL and a
// verifier trusting its PKI.
func setup(t *testing.T) (*StandIn, string, *eds.Verifier) {
	t.Helper()
	pki, err := devpki.Load(t.TempDir(), people, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := New(pki, []string{"127.0.0.1:*", "localhost:*"})
	url, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, url, &eds.Verifier{Roots: pki.Roots(), Intermediates: pki.Intermediates()}
}

// dial connects with an Origin header (none when "") and reads the greeting.
func dial(t *testing.T, url, origin string) (*websocket.Conn, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	var greeting map[string]any
	_, msg, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(msg, &greeting); err != nil {
		t.Fatal(err)
	}
	return c, greeting
}

// reply is every field a reply may have; Raw is the reply as sent.
type reply struct {
	Status *bool  `json:"status"`
	Code   string `json:"code"`
	Body   *struct {
		Result []string `json:"result"`
	} `json:"body"`
	ResponseObject json.RawMessage `json:"responseObject"`
	Raw            string          `json:"-"`
}

func call(t *testing.T, c *websocket.Conn, req any) reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, ok := req.(string)
	if !ok {
		j, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		b = string(j)
	}
	if err := c.Write(ctx, websocket.MessageText, []byte(b)); err != nil {
		t.Fatal(err)
	}
	_, msg, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{Raw: string(msg)}
	if err := json.Unmarshal(msg, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// signReq is a basics.sign request as the portal's client makes it.
func signReq(data any, decode, encapsulate bool, extra map[string]any, oids ...string) map[string]any {
	signer := map[string]any{"extKeyUsageOids": oids}
	for k, v := range extra {
		signer[k] = v
	}
	return map[string]any{"module": "kz.gov.pki.knca.basics", "method": "sign", "args": map[string]any{
		"allowedStorages": nil, "format": "cms", "data": data, "locale": "ru",
		"signingParams": map[string]any{"decode": decode, "encapsulate": encapsulate, "digested": false},
		"signerParams":  signer,
	}}
}

// signed checks a successful reply and its PEM armour and returns the CMS.
func signed(t *testing.T, r reply, n int) []string {
	t.Helper()
	if r.Status == nil || !*r.Status || r.Body == nil || len(r.Body.Result) != n {
		t.Fatalf("reply %s, want %d CMS", r.Raw, n)
	}
	for _, pem := range r.Body.Result {
		lines := strings.Split(strings.TrimSuffix(pem, "\r\n"), "\r\n")
		if lines[0] != "-----BEGIN CMS-----" || lines[len(lines)-1] != "-----END CMS-----" || !strings.HasSuffix(pem, "\r\n") {
			t.Fatalf("armour: %q", pem)
		}
		body := lines[1 : len(lines)-1]
		for i, l := range body {
			if len(l) > 64 || (i < len(body)-1 && len(l) != 64) || strings.Contains(l, "\n") {
				t.Fatalf("line %d: %q", i, l)
			}
		}
	}
	return r.Body.Result
}

func verify(t *testing.T, v *eds.Verifier, cms string, content []byte, p eds.Purpose) *eds.Signer {
	t.Helper()
	s, err := v.Verify(context.Background(), []byte(cms), content, p)
	if err != nil {
		t.Fatalf("verify for %v: %v", p, err)
	}
	return s
}

func TestGreeting(t *testing.T) {
	_, url, _ := setup(t)
	_, g := dial(t, url, "")
	res, _ := g["result"].(map[string]any)
	if v, _ := res["version"].(string); !strings.HasSuffix(v, "-emgek-dev") {
		t.Errorf("greeting %v", g)
	}
}

func TestSign(t *testing.T) {
	s, url, v := setup(t)
	c, _ := dial(t, url, "http://127.0.0.1:8080")
	nonce := []byte("nonce:123\x00\xff")
	b64 := base64.StdEncoding.EncodeToString(nonce)

	cms := signed(t, call(t, c, signReq(b64, true, true, nil, authEKU)), 1)
	signer := verify(t, v, cms[0], nonce, eds.Auth)
	if signer.IIN != "900101300123" || signer.BIN != "" || !slices.Equal(signer.Roles, []eds.Role{eds.Individual}) {
		t.Errorf("signer %+v", signer)
	}

	// The SIGN key, detached, over the UTF-8 bytes of the string.
	doc := "заявление №1"
	cms = signed(t, call(t, c, signReq(doc, false, false, nil, signEKU)), 1)
	verify(t, v, cms[0], []byte(doc), eds.Sign)
	if _, err := v.Verify(context.Background(), []byte(cms[0]), []byte("other"), eds.Sign); err == nil {
		t.Error("a detached CMS verified over other content")
	}

	// Two documents, one dialog.
	cms = signed(t, call(t, c, signReq([]string{"YQ==", "Yg=="}, true, true, nil, signEKU)), 2)
	verify(t, v, cms[0], []byte("a"), eds.Sign)
	verify(t, v, cms[1], []byte("b"), eds.Sign)

	// Another identity, and the IIN/BIN filters.
	if err := s.Select("head"); err != nil || s.Selected() != "head" {
		t.Fatalf("Select: %v, %q", err, s.Selected())
	}
	if s.Select("nobody") == nil || s.Selected() != "head" {
		t.Error("Select of an unknown identity")
	}
	filters := map[string]any{"iin": "800202400234", "bin": "123456789021"}
	cms = signed(t, call(t, c, signReq(b64, true, true, filters, authEKU, "1.2.398.3.3.4.1.2.1")), 1)
	signer = verify(t, v, cms[0], nonce, eds.Auth)
	if signer.IIN != "800202400234" || signer.BIN != "123456789021" || !slices.Contains(signer.Roles, eds.Head) {
		t.Errorf("signer %+v", signer)
	}
	if r := call(t, c, signReq(b64, true, true, map[string]any{"iin": "900101300123"}, authEKU)); r.Code != "GENERAL_ERROR" {
		t.Errorf("another IIN: %s", r.Raw)
	}
}

func TestActions(t *testing.T) {
	s, url, _ := setup(t)
	c, _ := dial(t, url, "")
	req := signReq("YQ==", true, true, nil, authEKU)
	if s.Next() != Sign {
		t.Fatalf("Next = %v", s.Next())
	}
	s.SetNext(Cancel)
	if r := call(t, c, req); r.Raw != `{"status":true,"body":{}}` {
		t.Errorf("cancel: %s", r.Raw)
	}
	if s.Next() != Sign {
		t.Errorf("after cancel Next = %v", s.Next())
	}
	signed(t, call(t, c, req), 1)

	s.SetNext(Fail)
	if r := call(t, c, req); r.Status == nil || *r.Status || r.Code != "SIGNING_FAILURE" {
		t.Errorf("fail: %s", r.Raw)
	}
	signed(t, call(t, c, req), 1)

	// A request refused for its arguments leaves the action pending.
	s.SetNext(Cancel)
	call(t, c, signReq("YQ==", true, true, nil))
	if s.Next() != Cancel {
		t.Errorf("Next = %v after a bad request", s.Next())
	}
}

func TestErrors(t *testing.T) {
	_, url, _ := setup(t)
	c, _ := dial(t, url, "")
	xml := signReq("<a/>", false, true, nil, authEKU)
	xml["args"].(map[string]any)["format"] = "xml"
	digested := signReq("YQ==", true, true, nil, authEKU)
	digested["args"].(map[string]any)["signingParams"].(map[string]any)["digested"] = true
	for name, tc := range map[string]struct {
		req  any
		code string
	}{
		"unknown method":  {map[string]any{"module": "kz.gov.pki.knca.basics", "method": "nope"}, "INVOCATION_ERROR"},
		"unknown module":  {map[string]any{"module": "kz.example", "method": "sign"}, "INVOCATION_ERROR"},
		"not JSON":        {"{nope", "INVOCATION_ERROR"},
		"xml":             {xml, "INVOCATION_ERROR"},
		"no EKU":          {signReq("YQ==", true, true, nil), "INVOCATION_ERROR"},
		"digested":        {digested, "INVOCATION_ERROR"},
		"bad data":        {signReq(42, true, true, nil, authEKU), "INVOCATION_ERROR"},
		"EKU nobody has":  {signReq("YQ==", true, true, nil, "1.3.6.1.5.5.7.3.1"), "GENERAL_ERROR"},
		"AUTH and SIGN":   {signReq("YQ==", true, true, nil, authEKU, signEKU), "GENERAL_ERROR"},
		"role not theirs": {signReq("YQ==", true, true, nil, signEKU, "1.2.398.3.3.4.1.2.1"), "GENERAL_ERROR"},
		"not base64":      {signReq("-----BEGIN", true, true, nil, authEKU), "SIGNING_FAILURE"},
	} {
		r := call(t, c, tc.req)
		if r.Status == nil || *r.Status || r.Code != tc.code || !strings.Contains(r.Raw, `"message":"`) || !strings.Contains(r.Raw, `"details":"`) {
			t.Errorf("%s: %s, want %s", name, r.Raw, tc.code)
		}
	}
	r := call(t, c, map[string]any{"module": "kz.gov.pki.knca.commonUtils", "method": "getActiveTokens", "args": []any{}})
	if r.Raw != `{"code":"200","responseObject":[]}` {
		t.Errorf("getActiveTokens: %s", r.Raw)
	}
}

func TestOrigins(t *testing.T) {
	s, url, _ := setup(t)
	dial(t, url, "http://localhost:3000")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://evil.example"}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a foreign Origin: err %v, response %v", err, resp)
	}

	// Close ends open connections.
	c, _ := dial(t, url, "")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Read(ctx); err == nil {
		t.Error("the connection outlived Close")
	}
}
