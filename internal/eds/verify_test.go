package eds

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smallstep/pkcs7"
)

var nonce = []byte("nonce:7f3a9c01-login")

// identity is what a test compares of a Signer.
type identity struct {
	IIN, BIN, CommonName, Surname, GivenName, Patronymic, Organization, Issuer, Algorithm string
	Roles                                                                                 []Role
	SignedAt                                                                              time.Time
	ChainLen                                                                              int
}

func identityOf(s *Signer) identity {
	return identity{s.IIN, s.BIN, s.CommonName, s.Surname, s.GivenName, s.Patronymic, s.Organization, s.Issuer, s.Algorithm, s.Roles, s.SignedAt, len(s.Chain)}
}

func TestVerifyAccepts(t *testing.T) {
	person := identity{IIN: "123456789011", CommonName: "ТЕСТОВ ТЕСТ", Surname: "ТЕСТОВ", GivenName: "ТЕСТ", Patronymic: "ТЕСТОВИЧ",
		Issuer: "ҰКО 3.0 (TEST)", Roles: []Role{Individual}, SignedAt: base, ChainLen: 3}
	head := person
	head.BIN, head.Organization, head.Roles = "123456789021", `АО "ТЕСТ"`, []Role{Organisation, Head}
	tests := []struct {
		name    string
		cert    ee
		signing signing
		want    identity
		wantAlg string
	}{
		{"RSA login", ee{alg: "rsa", purpose: Auth}, signing{}, person, "RSA-SHA256"},
		{"ECDSA login", ee{alg: "ecdsa", purpose: Auth}, signing{}, person, "ECDSA-SHA256"},
		{"RSA login of a legal entity's head", ee{alg: "rsa", purpose: Auth, legal: true}, signing{}, head, "RSA-SHA256"},
		{"RSA document, detached", ee{alg: "rsa", purpose: Sign, legal: true}, signing{detached: true}, head, "RSA-SHA256"},
		{"ECDSA document, detached", ee{alg: "ecdsa", purpose: Sign}, signing{detached: true}, person, "ECDSA-SHA256"},
		{"rsaEncryption as signature algorithm", ee{alg: "rsa", purpose: Auth}, signing{rsaEncryption: true}, person, "RSA-SHA256"},
		{"no signed attributes", ee{alg: "rsa", purpose: Sign}, signing{noAttrs: true}, person, "RSA-SHA256"},
		{"NCA signing policy without emailProtection", ee{alg: "rsa", purpose: Sign, eku: []x509.ExtKeyUsage{},
			policies: []asn1.ObjectIdentifier{{1, 2, 398, 3, 3, 2, 3}}}, signing{}, person, "RSA-SHA256"},
		{"a signingTime in the future changes nothing", ee{alg: "rsa", purpose: Auth},
			signing{change: setSigningTime(base.AddDate(5, 0, 0))}, person, "RSA-SHA256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPKI(t, tt.cert.alg, "A")
			cert, key := p.issue(t, tt.cert)
			cms := p.sign(t, cert, key, nonce, tt.signing)
			s, err := p.verifier(base).Verify(t.Context(), cms, nonce, tt.cert.purpose)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Algorithm = tt.wantAlg
			if diff := cmp.Diff(tt.want, identityOf(s)); diff != "" {
				t.Errorf("signer mismatch (-want +got):\n%s", diff)
			}
			if !s.Certificate.Equal(cert) || !s.Chain[0].Equal(cert) || !s.Chain[1].Equal(p.inter) || !s.Chain[2].Equal(p.root) {
				t.Errorf("certificate/chain is not signer → intermediate → root")
			}
			if s.Serial != cert.SerialNumber.Text(16) {
				t.Errorf("Serial = %s, want %s", s.Serial, cert.SerialNumber.Text(16))
			}
		})
	}
}

func TestVerifyRefuses(t *testing.T) {
	other := []byte("nonce:someone-else")
	expiredAt := base.AddDate(1, 0, 0) // after every end-entity certificate here
	tests := []struct {
		name    string
		cert    ee
		signing signing
		content []byte // nil: the nonce
		purpose Purpose
		at      time.Time // zero: base
		alter   func(t *testing.T, p *pki, v *Verifier)
		code    string
		detail  []string
	}{
		{name: "expired certificate", cert: ee{alg: "rsa", purpose: Auth}, at: expiredAt, code: CodeExpired},
		{name: "ECDSA expired certificate", cert: ee{alg: "ecdsa", purpose: Auth}, at: expiredAt, code: CodeExpired},
		{name: "backdated signingTime on an expired certificate", cert: ee{alg: "rsa", purpose: Auth},
			signing: signing{change: setSigningTime(base)}, at: expiredAt, code: CodeExpired},
		{name: "not yet valid", cert: ee{alg: "rsa", purpose: Sign, from: base.AddDate(0, 1, 0), to: base.AddDate(1, 0, 0)},
			purpose: Sign, code: CodeNotYetValid},
		{name: "signing key used to log in", cert: ee{alg: "rsa", purpose: Sign}, purpose: Auth, code: CodeWrongKeyUsage, detail: []string{"clientAuth"}},
		{name: "login key used to sign", cert: ee{alg: "rsa", purpose: Auth}, purpose: Sign, code: CodeWrongKeyUsage, detail: []string{"nonRepudiation"}},
		{name: "clientAuth without digitalSignature", cert: ee{alg: "rsa", purpose: Auth, ku: x509.KeyUsageKeyEncipherment},
			code: CodeWrongKeyUsage, detail: []string{"keyUsage [keyEncipherment]"}},
		{name: "emailProtection without nonRepudiation", cert: ee{alg: "rsa", purpose: Sign, ku: x509.KeyUsageDigitalSignature},
			purpose: Sign, code: CodeWrongKeyUsage},
		{name: "nonRepudiation without a signing EKU or policy", cert: ee{alg: "rsa", purpose: Sign, eku: []x509.ExtKeyUsage{},
			policies: []asn1.ObjectIdentifier{{1, 2, 398, 3, 3, 2, 4}}}, purpose: Sign, code: CodeWrongKeyUsage},
		{name: "ECDSA signing key used to log in", cert: ee{alg: "ecdsa", purpose: Sign}, purpose: Auth, code: CodeWrongKeyUsage},
		{name: "unknown root", cert: ee{alg: "rsa", purpose: Auth}, code: CodeUnknownRoot,
			alter: func(t *testing.T, _ *pki, v *Verifier) {
				q := newPKI(t, "rsa", "B")
				v.Roots, v.Intermediates = x509.NewCertPool(), x509.NewCertPool()
				v.Roots.AddCert(q.root)
				v.Intermediates.AddCert(q.inter)
			}},
		{name: "no roots configured trusts nothing", cert: ee{alg: "ecdsa", purpose: Auth}, code: CodeUnknownRoot,
			alter: func(_ *testing.T, _ *pki, v *Verifier) { v.Roots = nil }},
		{name: "expired intermediate", cert: ee{alg: "rsa", purpose: Auth}, code: CodeExpired, detail: []string{"ҰКО 3.0 (TEST)"},
			alter: func(t *testing.T, p *pki, v *Verifier) {
				p.inter = p.issueCA(t, base.AddDate(-3, 0, 0), base.AddDate(0, 0, -1)) // same name and key, the CMS carries it
				v.Intermediates = x509.NewCertPool()
				v.Intermediates.AddCert(p.inter)
			}},
		{name: "attached content differs", cert: ee{alg: "rsa", purpose: Auth}, content: other, code: CodeContentMismatch},
		{name: "detached over other content", cert: ee{alg: "ecdsa", purpose: Sign}, signing: signing{detached: true},
			content: other, purpose: Sign, code: CodeDigestMismatch},
		{name: "no signed attributes, other content", cert: ee{alg: "rsa", purpose: Sign}, signing: signing{noAttrs: true, detached: true},
			content: other, purpose: Sign, code: CodeBadSignature},
		{name: "tampered signed attributes", cert: ee{alg: "rsa", purpose: Auth}, code: CodeBadSignature,
			signing: signing{change: func(t *testing.T, sd *pkcs7.SignedData, key crypto.Signer) {
				setSigningTime(base)(t, sd, key) // re-signed…
				si := &sd.GetSignedData().SignerInfos[0]
				sig := si.EncryptedDigest
				setSigningTime(base.Add(time.Hour))(t, sd, key) // …then the attribute changed, the old signature kept
				si.EncryptedDigest = sig
			}}},
		{name: "contentType is not id-data", cert: ee{alg: "rsa", purpose: Auth}, code: CodeMalformed, detail: []string{"id-data"},
			signing: signing{change: setAttr(oidContentType, asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2})}},
		{name: "no messageDigest", cert: ee{alg: "ecdsa", purpose: Auth}, code: CodeMalformed, detail: []string{"messageDigest"},
			signing: signing{change: setAttr(oidMessageDigest, nil)}},
		{name: "no contentType", cert: ee{alg: "ecdsa", purpose: Auth}, code: CodeMalformed, detail: []string{"contentType"},
			signing: signing{change: setAttr(oidContentType, nil)}},
		{name: "ECDSA tampered signature", cert: ee{alg: "ecdsa", purpose: Auth}, code: CodeBadSignature,
			signing: signing{change: func(_ *testing.T, sd *pkcs7.SignedData, _ crypto.Signer) {
				sd.GetSignedData().SignerInfos[0].EncryptedDigest[10] ^= 1
			}}},
		{name: "GOST signature OID", cert: ee{alg: "rsa", purpose: Auth}, code: CodeUnsupportedAlgorithm,
			detail: []string{"GOST 34.10-2015 512-bit (1.2.398.3.10.1.1.2.3.2)"},
			signing: signing{change: func(_ *testing.T, sd *pkcs7.SignedData, _ crypto.Signer) {
				sd.GetSignedData().SignerInfos[0].DigestEncryptionAlgorithm.Algorithm = asn1.ObjectIdentifier{1, 2, 398, 3, 10, 1, 1, 2, 3, 2}
			}}},
		{name: "SHA-1 digest", cert: ee{alg: "rsa", purpose: Auth}, code: CodeUnsupportedAlgorithm, detail: []string{"SHA-1 (1.3.14.3.2.26)"},
			signing: signing{rsaEncryption: true, change: func(_ *testing.T, sd *pkcs7.SignedData, _ crypto.Signer) {
				sd.GetSignedData().SignerInfos[0].DigestAlgorithm.Algorithm = pkcs7.OIDDigestAlgorithmSHA1
			}}},
		{name: "an unnamed OID is shown as is", cert: ee{alg: "ecdsa", purpose: Auth}, code: CodeUnsupportedAlgorithm, detail: []string{"1.2.3.4.5"},
			signing: signing{change: func(_ *testing.T, sd *pkcs7.SignedData, _ crypto.Signer) {
				sd.GetSignedData().SignerInfos[0].DigestEncryptionAlgorithm.Algorithm = asn1.ObjectIdentifier{1, 2, 3, 4, 5}
			}}},
		{name: "signer certificate not in the CMS", cert: ee{alg: "rsa", purpose: Auth}, code: CodeNoSigner,
			signing: signing{change: func(_ *testing.T, sd *pkcs7.SignedData, _ crypto.Signer) {
				sd.GetSignedData().SignerInfos[0].IssuerAndSerialNumber.SerialNumber = big.NewInt(42)
			}}},
		{name: "two signers", cert: ee{alg: "ecdsa", purpose: Auth}, code: CodeTooManySigners,
			signing: signing{change: func(t *testing.T, sd *pkcs7.SignedData, key crypto.Signer) {
				si := sd.GetSignedData().SignerInfos
				sd.GetSignedData().SignerInfos = append(si, si[0])
			}}},
		{name: "no signer", cert: ee{alg: "ecdsa", purpose: Auth}, code: CodeNoSigner,
			signing: signing{change: func(_ *testing.T, sd *pkcs7.SignedData, _ crypto.Signer) {
				sd.GetSignedData().SignerInfos = nil
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPKI(t, tt.cert.alg, "A")
			cert, key := p.issue(t, tt.cert)
			at := tt.at
			if at.IsZero() {
				at = base
			}
			v := p.verifier(at)
			if tt.alter != nil {
				tt.alter(t, p, v)
			}
			cms := p.sign(t, cert, key, nonce, tt.signing)
			content := tt.content
			if content == nil {
				content = nonce
			}
			purpose := tt.purpose
			if purpose == 0 {
				purpose = Auth
			}
			s, err := v.Verify(t.Context(), cms, content, purpose)
			if s != nil {
				t.Errorf("Verify returned a signer with %v", err)
			}
			wantRefusal(t, err, tt.code, tt.detail...)
		})
	}
}

// crlfPEM armours DER as NCALayer's basics module does: "-----BEGIN
// CMS-----", 64-character lines, CRLF endings.
func crlfPEM(typ string, der []byte) []byte {
	b := pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
	return bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
}

func TestVerifyFormats(t *testing.T) {
	p := newPKI(t, "rsa", "A")
	cert, key := p.issue(t, ee{alg: "rsa", purpose: Auth})
	der := p.sign(t, cert, key, nonce, signing{})
	b64 := base64.StdEncoding.EncodeToString(der)
	wrapped := lines(b64, 76, "\r\n")
	tests := []struct {
		name string
		in   []byte
		code string // "" accepts
	}{
		{"DER", der, ""},
		{"PEM CMS with CRLF lines, as NCALayer returns it", crlfPEM("CMS", der), ""},
		{"PEM PKCS7", pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: der}), ""},
		{"base64 DER, as commonUtils returns it", []byte(b64), ""},
		{"base64 DER in CRLF lines with a trailing newline", []byte(wrapped + "\r\n"), ""},
		{"PEM of another type", crlfPEM("CERTIFICATE", der), CodeMalformed},
		{"two PEM blocks", append(crlfPEM("CMS", der), crlfPEM("CMS", der)...), CodeMalformed},
		{"truncated DER", der[:len(der)/2], CodeMalformed},
		{"not base64", []byte("not a signature at all!"), CodeMalformed},
		{"empty", nil, CodeMalformed},
		{"a certificate, not a CMS", cert.Raw, CodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := p.verifier(base).Verify(t.Context(), tt.in, nonce, Auth)
			if tt.code == "" {
				if err != nil || s.IIN != "123456789011" {
					t.Fatalf("Verify = %v, %v; want the signer", s, err)
				}
				return
			}
			wantRefusal(t, err, tt.code)
		})
	}
	if !strings.Contains(string(crlfPEM("CMS", der)), "-----BEGIN CMS-----\r\n") {
		t.Fatal("the PEM test input has no CRLF lines")
	}
}

func lines(s string, n int, sep string) string {
	var parts []string
	for len(s) > n {
		parts = append(parts, s[:n])
		s = s[n:]
	}
	return strings.Join(append(parts, s), sep)
}

// The library's own Verify takes the signer's claimed signingTime as the
// time of the chain: it accepts what we must refuse. This is why only its
// parser is used.
func TestLibraryVerifyTrustsSigningTime(t *testing.T) {
	p := newPKI(t, "rsa", "A")
	cert, key := p.issue(t, ee{alg: "rsa", purpose: Auth})
	der := p.sign(t, cert, key, nonce, signing{change: setSigningTime(base)})
	p7, err := pkcs7.Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(p.root)
	if err := p7.VerifyWithChain(roots); err != nil {
		t.Fatalf("library Verify refused the backdated CMS (%v); the premise of this test changed", err)
	}
	_, err = p.verifier(base.AddDate(1, 0, 0)).Verify(t.Context(), der, nonce, Auth)
	wantRefusal(t, err, CodeExpired)
}

func TestErrorIs(t *testing.T) {
	err := error(refuse(CodeRevoked, "serial %s", "ab"))
	if got := err.Error(); got != "eds: revoked: serial ab" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(err, &Error{Code: CodeRevoked}) || errors.Is(err, &Error{Code: CodeExpired}) {
		t.Error("errors.Is does not match on the code")
	}
}
