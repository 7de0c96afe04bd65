package eds

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
)

// A test PKI shaped like NCA's: root → intermediate → AUTH and SIGN
// end-entity certificates with NCA subjects and EKU OIDs. CMS are made with
// the signing half of the same library the verifier parses with.

// base is "now" for the test PKI: every certificate is valid then.
var base = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

var (
	keysMu sync.Mutex
	keys   = map[string]crypto.Signer{}
)

// testKey is a cached key, so RSA generation runs once per name.
func testKey(t *testing.T, alg, name string) crypto.Signer {
	t.Helper()
	keysMu.Lock()
	defer keysMu.Unlock()
	if k, ok := keys[alg+name]; ok {
		return k
	}
	var k crypto.Signer
	var err error
	switch alg {
	case "rsa":
		k, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ecdsa":
		k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil || k == nil {
		t.Fatalf("key %s: %v", alg, err)
	}
	keys[alg+name] = k
	return k
}

type pki struct {
	root, inter       *x509.Certificate
	rootKey, interKey crypto.Signer
}

func mustCert(t *testing.T, tmpl, parent *x509.Certificate, pub any, parentKey crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		t.Fatalf("CreateCertificate: %v", err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("ParseCertificate: %v", err)
	}
	return c
}

func serial(t *testing.T) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		t.Fatal(err)
	}
	return n.Add(n, big.NewInt(1))
}

// newPKI makes a root and an intermediate; name keeps keys of different
// PKIs apart, so an "unknown root" really is another key.
func newPKI(t *testing.T, alg, name string) *pki {
	t.Helper()
	p := &pki{rootKey: testKey(t, alg, name+"root"), interKey: testKey(t, alg, name+"inter")}
	rootTmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{Country: []string{"KZ"}, CommonName: "НЕГІЗГІ КО TEST " + name},
		NotBefore: base.AddDate(-5, 0, 0), NotAfter: base.AddDate(10, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	p.root = mustCert(t, rootTmpl, rootTmpl, p.rootKey.Public(), p.rootKey)
	p.inter = p.issueCA(t, base.AddDate(-3, 0, 0), base.AddDate(3, 0, 0))
	return p
}

func (p *pki) issueCA(t *testing.T, from, to time.Time) *x509.Certificate {
	t.Helper()
	return mustCert(t, &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{Country: []string{"KZ"}, CommonName: "ҰКО 3.0 (TEST)"},
		NotBefore: from, NotAfter: to,
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, p.root, p.interKey.Public(), p.rootKey)
}

func (p *pki) verifier(at time.Time) *Verifier {
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(p.root)
	inter.AddCert(p.inter)
	return &Verifier{Roots: roots, Intermediates: inter, Now: func() time.Time { return at }}
}

// ee describes an end-entity certificate.
type ee struct {
	alg      string // "rsa" or "ecdsa"
	purpose  Purpose
	legal    bool // a legal entity's head: O, OU=BIN…, EKU …4.1.2 + …4.1.2.1
	from, to time.Time
	// overrides of the purpose's profile
	ku       x509.KeyUsage
	eku      []x509.ExtKeyUsage // non-nil replaces
	policies []asn1.ObjectIdentifier
}

var (
	oidIndividual = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 1}
	oidLegal      = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2}
	oidHead       = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 1}
)

func (p *pki) issue(t *testing.T, e ee) (*x509.Certificate, crypto.Signer) {
	t.Helper()
	if e.from.IsZero() {
		e.from, e.to = base.AddDate(0, -6, 0), base.AddDate(0, 6, 0)
	}
	key := testKey(t, e.alg, "ee")
	names := []pkix.AttributeTypeAndValue{
		{Type: oidCommonName, Value: "ТЕСТОВ ТЕСТ"},
		{Type: oidSurname, Value: "ТЕСТОВ"},
		{Type: oidSerialNumber, Value: "IIN123456789011"},
		{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "KZ"},
		{Type: oidGivenName, Value: "ТЕСТОВИЧ"},
	}
	roles := []asn1.ObjectIdentifier{oidIndividual}
	if e.legal {
		names = append(names,
			pkix.AttributeTypeAndValue{Type: oidOrganization, Value: `АО "ТЕСТ"`},
			pkix.AttributeTypeAndValue{Type: oidOrgUnit, Value: "BIN123456789021"})
		roles = []asn1.ObjectIdentifier{oidLegal, oidHead}
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t), Subject: pkix.Name{ExtraNames: names},
		NotBefore: e.from, NotAfter: e.to, UnknownExtKeyUsage: roles,
	}
	switch e.purpose {
	case Auth: // NCA AUTH_RSA256 profile
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	case Sign: // NCA RSA256 (signing) profile
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	}
	if e.ku != 0 {
		tmpl.KeyUsage = e.ku
	}
	if e.eku != nil {
		tmpl.ExtKeyUsage = e.eku
	}
	for _, o := range e.policies {
		oid, err := x509.OIDFromInts(toUint64(o))
		if err != nil {
			t.Fatal(err)
		}
		tmpl.Policies = append(tmpl.Policies, oid)
	}
	return mustCert(t, tmpl, p.inter, key.Public(), p.interKey), key
}

// how a test CMS is made.
type signing struct {
	detached      bool
	rsaEncryption bool // SignerInfo signatureAlgorithm rsaEncryption, as KalkanCrypt/OpenSSL write it
	noAttrs       bool
	// change, when set, edits the SignedData before it is serialised.
	change func(t *testing.T, sd *pkcs7.SignedData, key crypto.Signer)
}

func (p *pki) sign(t *testing.T, cert *x509.Certificate, key crypto.Signer, content []byte, s signing) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if s.rsaEncryption {
		sd.SetEncryptionAlgorithm(pkcs7.OIDEncryptionAlgorithmRSA)
	}
	if s.noAttrs {
		err = sd.SignWithoutAttr(cert, key, pkcs7.SignerInfoConfig{})
		sd.AddCertificate(p.inter)
	} else {
		err = sd.AddSignerChain(cert, key, []*x509.Certificate{p.inter}, pkcs7.SignerInfoConfig{})
	}
	if err != nil {
		t.Fatal(err)
	}
	if s.change != nil {
		s.change(t, sd, key)
	}
	if s.detached {
		sd.Detach()
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// setSigningTime replaces the signingTime attribute and signs the
// attributes again, as a signer with a wrong (or lying) clock would.
func setSigningTime(at time.Time) func(*testing.T, *pkcs7.SignedData, crypto.Signer) {
	return setAttr(oidSigningTime, at.UTC())
}

// setAttr gives a signed attribute a new value (nil drops it) and signs
// the attributes again.
func setAttr(oid asn1.ObjectIdentifier, value any) func(*testing.T, *pkcs7.SignedData, crypto.Signer) {
	return func(t *testing.T, sd *pkcs7.SignedData, key crypto.Signer) {
		si := &sd.GetSignedData().SignerInfos[0]
		attrs := si.AuthenticatedAttributes[:0]
		for _, a := range si.AuthenticatedAttributes {
			if a.Type.Equal(oid) {
				if value == nil {
					continue
				}
				b, err := asn1.Marshal(value)
				if err != nil {
					t.Fatal(err)
				}
				a.Value = asn1.RawValue{Tag: asn1.TagSet, IsCompound: true, Bytes: b}
			}
			attrs = append(attrs, a)
		}
		si.AuthenticatedAttributes = attrs
		der, err := asn1.MarshalWithParams(si.AuthenticatedAttributes, "set")
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(der)
		if si.EncryptedDigest, err = key.Sign(rand.Reader, h[:], crypto.SHA256); err != nil {
			t.Fatal(err)
		}
	}
}

// wantRefusal fails unless err is an *Error with code whose Detail holds
// every one of details.
func wantRefusal(t *testing.T, err error, code string, details ...string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %q (%v), want %q", e.Code, e, code)
	}
	for _, d := range details {
		if !strings.Contains(e.Detail, d) {
			t.Errorf("detail %q does not name %q", e.Detail, d)
		}
	}
}

func toUint64(o asn1.ObjectIdentifier) []uint64 {
	u := make([]uint64, len(o))
	for i, n := range o {
		u[i] = uint64(n)
	}
	return u
}
