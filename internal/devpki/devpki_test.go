package devpki

import (
	"bytes"
	"context"
	"crypto/x509"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/emgek/emgek/internal/eds"
)

var now = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

var people = []Person{
	{Name: "citizen", IIN: "900101300123", Surname: "ТЕСТОВ", GivenName: "АЙДАР", Patronymic: "СЕРІКҰЛЫ",
		Roles: []eds.Role{eds.Individual}},
	{Name: "head", IIN: "800202400234", BIN: "123456789021", Surname: "БАСШЫ", GivenName: "АСАН",
		Patronymic: "ЕРЛАНОВИЧ", OrgName: `ТОО "ДЕМО"`, Roles: []eds.Role{eds.Organisation, eds.Head}},
	{Name: "signer", IIN: "850303500345", BIN: "123456789021", Surname: "ҚОЛ", GivenName: "ДАНА",
		OrgName: `ТОО "ДЕМО"`, Roles: []eds.Role{eds.Organisation, eds.Signatory}},
}

func sign(t *testing.T, kp KeyPair, content []byte) []byte {
	t.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		t.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(kp.Cert, kp.Key, pkcs7.SignerInfoConfig{}); err != nil {
		t.Fatal(err)
	}
	der, err := sd.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestLoadVerifiesWithEDS(t *testing.T) {
	p, err := Load(t.TempDir(), people, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Identities) != len(people) {
		t.Fatalf("%d identities, want %d", len(p.Identities), len(people))
	}
	v := &eds.Verifier{Roots: p.Roots(), Intermediates: p.Intermediates(), Now: func() time.Time { return now }}
	content := []byte("nonce:123")
	for i, id := range p.Identities {
		if id.Name != people[i].Name || p.Identity(id.Name) != id {
			t.Fatalf("identity %d is %q", i, id.Name)
		}
		for _, c := range []struct {
			kp      KeyPair
			purpose eds.Purpose
		}{{id.Auth, eds.Auth}, {id.Sign, eds.Sign}} {
			s, err := v.Verify(context.Background(), sign(t, c.kp, content), content, c.purpose)
			if err != nil {
				t.Fatalf("%s %v: %v", id.Name, c.purpose, err)
			}
			if s.IIN != id.IIN || s.BIN != id.BIN || s.Surname != id.Surname ||
				s.GivenName != id.GivenName || s.Patronymic != id.Patronymic || s.Organization != id.OrgName {
				t.Errorf("%s %v: signer %+v", id.Name, c.purpose, s)
			}
			if !slices.Equal(s.Roles, id.Roles) {
				t.Errorf("%s %v: roles %v, want %v", id.Name, c.purpose, s.Roles, id.Roles)
			}
			if s.Algorithm != "ECDSA-SHA256" || s.Issuer != intermediateCA || len(s.Chain) != 3 {
				t.Errorf("%s %v: algorithm %q, issuer %q, chain of %d", id.Name, c.purpose, s.Algorithm, s.Issuer, len(s.Chain))
			}
		}
		// Each key serves only its own purpose.
		if _, err := v.Verify(context.Background(), sign(t, id.Auth, content), content, eds.Sign); err == nil {
			t.Errorf("%s: the AUTH key was accepted for signing", id.Name)
		}
		if _, err := v.Verify(context.Background(), sign(t, id.Sign, content), content, eds.Auth); err == nil {
			t.Errorf("%s: the SIGN key was accepted for login", id.Name)
		}
	}
	if p.Identity("nobody") != nil {
		t.Error("Identity of an unknown name is not nil")
	}
	auth := p.Identity("head").Auth.Cert
	if auth.NotBefore != now.Add(-time.Hour) || auth.NotAfter != now.AddDate(2, 0, 0) {
		t.Errorf("validity %s – %s", auth.NotBefore, auth.NotAfter)
	}
	if p.Root.NotAfter != now.AddDate(10, 0, 0) || p.Root.Subject.CommonName != rootCA {
		t.Errorf("root %q until %s", p.Root.Subject.CommonName, p.Root.NotAfter)
	}
}

// files maps each file in dir to its content and modification time.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v", e.Name(), info.Mode().Perm())
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		m[e.Name()] = string(b) + info.ModTime().String()
	}
	return m
}

func serials(p *PKI) map[string]string {
	m := map[string]string{"root": p.Root.SerialNumber.String(), "intermediate": p.Intermediate.SerialNumber.String()}
	for _, id := range p.Identities {
		m[id.Name+"/auth"] = id.Auth.Cert.SerialNumber.String()
		m[id.Name+"/sign"] = id.Sign.Cert.SerialNumber.String()
	}
	return m
}

func TestLoadReuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "pki")
	first, err := Load(dir, people, now)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("dir: %v, %v", info.Mode(), err)
	}
	before := files(t, dir)
	if len(before) != 4+4*len(people) {
		t.Errorf("%d files, want %d", len(before), 4+4*len(people))
	}
	time.Sleep(10 * time.Millisecond)
	second, err := Load(dir, people, now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a, b := serials(first), serials(second); !maps.Equal(a, b) {
		t.Errorf("serials changed:\n%v\n%v", a, b)
	}
	if after := files(t, dir); !maps.Equal(before, after) {
		t.Error("a second Load rewrote files")
	}
	if !bytes.Equal(second.Identity("citizen").Sign.Cert.Raw, first.Identity("citizen").Sign.Cert.Raw) {
		t.Error("certificate differs")
	}
}

func TestLoadAddsAndChanges(t *testing.T) {
	dir := t.TempDir()
	first, err := Load(dir, people[:2], now)
	if err != nil {
		t.Fatal(err)
	}
	changed := slices.Clone(people)
	changed[1].Roles = []eds.Role{eds.Organisation, eds.HR}
	second, err := Load(dir, changed, now)
	if err != nil {
		t.Fatal(err)
	}
	a, b := serials(first), serials(second)
	for _, k := range []string{"root", "intermediate", "citizen/auth", "citizen/sign"} {
		if a[k] != b[k] {
			t.Errorf("%s was issued again", k)
		}
	}
	for _, k := range []string{"head/auth", "head/sign"} {
		if a[k] == b[k] {
			t.Errorf("%s was not issued again after its roles changed", k)
		}
	}
	if second.Identity("signer") == nil || second.Identity("signer").Auth.Cert.CheckSignatureFrom(first.Intermediate) != nil {
		t.Error("the added person is not certified by the same CA")
	}
	v := &eds.Verifier{Roots: first.Roots(), Intermediates: first.Intermediates(), Now: func() time.Time { return now }}
	s, err := v.Verify(context.Background(), sign(t, second.Identity("head").Sign, []byte("x")), []byte("x"), eds.Sign)
	if err != nil || !slices.Equal(s.Roles, changed[1].Roles) {
		t.Errorf("changed head: %v, %v", s, err)
	}

	// Past the end-entity validity the certificates are issued again, by
	// the same CA.
	later := now.AddDate(3, 0, 0)
	third, err := Load(dir, changed, later)
	if err != nil {
		t.Fatal(err)
	}
	c := serials(third)
	if c["root"] != a["root"] || c["citizen/auth"] == a["citizen/auth"] {
		t.Errorf("after expiry: root kept %v, citizen reissued %v", c["root"] == a["root"], c["citizen/auth"] != a["citizen/auth"])
	}
	if _, err := third.Identity("citizen").Auth.Cert.Verify(x509.VerifyOptions{
		Roots: third.Roots(), Intermediates: third.Intermediates(), CurrentTime: later,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	}); err != nil {
		t.Error(err)
	}
}

func TestLoadRefuses(t *testing.T) {
	for name, p := range map[string][]Person{
		"bad IIN":      {{Name: "a", IIN: "123", Surname: "S"}},
		"bad BIN":      {{Name: "a", IIN: "900101300123", BIN: "12", Surname: "S"}},
		"bad name":     {{Name: "../a", IIN: "900101300123", Surname: "S"}},
		"twice":        {people[0], people[0]},
		"no surname":   {{Name: "a", IIN: "900101300123"}},
		"unknown role": {{Name: "a", IIN: "900101300123", Surname: "S", Roles: []eds.Role{"king"}}},
	} {
		if _, err := Load(t.TempDir(), p, now); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
