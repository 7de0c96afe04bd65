package eds

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// asciiSpaces are the bytes bytes.TrimSpace cuts from the end of a DER.
var asciiSpaces = []byte{'\t', '\n', '\v', '\f', '\r', ' '}

// testdata/regress/rsa-login-ends-0d.cms.der is a valid DER CMS (a login
// over nonce, made by the test PKI of pki_test.go, with its root beside it)
// whose RSA signature, and so the whole DER, ends in 0x0D. decode used to
// bytes.TrimSpace binary input too and cut that byte: the SEQUENCE then
// claimed one byte more than there was, and pkcs7.Parse refused it with
// "ber2der: BER tag length is more than available data". openssl
// asn1parse, encoding/asn1 and ber2der all read the file itself; it was
// what made TestVerifyRefuses fail about one run in six (an RSA signature
// is deterministic, so every case of a run signed with the same key and
// signingTime second ended in the same byte).
func TestVerifyDEREndingInCR(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", "regress", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	der := read("rsa-login-ends-0d.cms.der")
	root, err := x509.ParseCertificate(read("rsa-login-ends-0d.root.der"))
	if err != nil {
		t.Fatal(err)
	}
	if der[len(der)-1] != '\r' {
		t.Fatalf("the sample ends in %#x, not 0x0d; the premise of this test changed", der[len(der)-1])
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	v := &Verifier{Roots: roots, Now: func() time.Time { return base }}
	for name, in := range map[string][]byte{
		"DER":    der,
		"PEM":    crlfPEM("CMS", der),
		"base64": []byte(base64.StdEncoding.EncodeToString(der) + "\r\n"),
	} {
		s, err := v.Verify(t.Context(), in, nonce, Auth)
		if err != nil || s.IIN != "123456789011" {
			t.Errorf("%s: Verify = %v, %v; want the signer", name, s, err)
		}
	}
}

// Every byte TrimSpace would cut, as the last byte of a fresh DER CMS
// (ECDSA signatures are randomised, so signing again gives another last
// byte), is accepted as DER, PEM and base64.
func TestVerifyDEREndingInAnySpaceByte(t *testing.T) {
	p := newPKI(t, "ecdsa", "A")
	cert, key := p.issue(t, ee{alg: "ecdsa", purpose: Auth})
	v := p.verifier(base)
	todo := map[byte]bool{}
	for _, b := range asciiSpaces {
		todo[b] = true
	}
	for i := 0; i < 50000 && len(todo) > 0; i++ {
		der := p.sign(t, cert, key, nonce, signing{})
		last := der[len(der)-1]
		if !todo[last] {
			continue
		}
		delete(todo, last)
		if len(bytes.TrimSpace(der)) == len(der) {
			t.Fatalf("TrimSpace keeps a trailing %#x; the premise of this test changed", last)
		}
		for name, in := range map[string][]byte{
			"DER":    der,
			"PEM":    pem.EncodeToMemory(&pem.Block{Type: "CMS", Bytes: der}),
			"base64": []byte(base64.StdEncoding.EncodeToString(der)),
		} {
			if _, err := v.Verify(t.Context(), in, nonce, Auth); err != nil {
				t.Errorf("%s ending in %#x: %v", name, last, err)
			}
		}
	}
	if len(todo) > 0 {
		t.Fatalf("no CMS ending in %v was made", todo)
	}
}
