package eds

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/smallstep/pkcs7"
)

// Real NCA RK test PKI data (testdata/nca, see its SOURCES.md): RSA CMS
// from NCALayer/KalkanCrypt users, the NCA RSA test CA ("ҰКО 3.0 (RSA
// TEST)" under "НЕГІЗГІ КО TEST (RSA)") and its CRL. Everything has
// expired, so each test fixes the clock.

func ncaFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "nca", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ncaCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(ncaFile(t, name))
	if block == nil {
		t.Fatalf("%s: no PEM", name)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ncaVerifier trusts the NCA RSA test root at a fixed time.
func ncaVerifier(t *testing.T, at string, crls ...string) *Verifier {
	t.Helper()
	now, err := time.Parse(time.RFC3339, at)
	if err != nil {
		t.Fatal(err)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(ncaCert(t, "ca/root_rsa_test.pem"))
	inter.AddCert(ncaCert(t, "ca/nca_rsa_test.pem"))
	v := &Verifier{Roots: roots, Intermediates: inter, Now: func() time.Time { return now }}
	for _, f := range crls {
		crl, err := x509.ParseRevocationList(ncaFile(t, f))
		if err != nil {
			t.Fatal(err)
		}
		v.CRLs = append(v.CRLs, crl)
	}
	return v
}

const (
	dk     = "cms/danikarik_ncanode-go/"
	mz     = "cms/malikzh_NCANode/"
	rsaCRL = "crl/nca_rsa_test_20220329.crl"
)

// The danikarik/ncanode-go RSA samples: certificates 2020-01-28 →
// 2021-01-27, signed 2020-09-09. Each is accepted for the purpose of its
// key and refused for the other.
func TestNCARSASamples(t *testing.T) {
	person := identity{IIN: "123456789011", CommonName: "ТЕСТОВ ТЕСТ", Surname: "ТЕСТОВ", GivenName: "ТЕСТ", Patronymic: "ТЕСТОВИЧ",
		Issuer: "ҰКО 3.0 (RSA TEST)", Algorithm: "RSA-SHA256", Roles: []Role{Individual}, ChainLen: 3}
	head := person
	head.BIN, head.Organization, head.Roles = "123456789021", `АО "ТЕСТ"`, []Role{Organisation, Head}
	const at = "2020-09-10T09:00:00Z"
	tests := []struct {
		file    string
		purpose Purpose
		want    identity
	}{
		{"rsa_individual_auth_active_attached_asdasd.p7s", Auth, person},
		{"rsa_individual_sign_active_attached_asdasd.p7s", Sign, person},
		{"rsa_legal_head_auth_active_attached_asdasd.p7s", Auth, head},
		// The "revoked" ones were revoked by OCSP only: the one RSA CRL we
		// have (2022) was issued after they expired and no longer lists
		// them, so without a CRL they verify at their signing time…
		{"rsa_individual_auth_revoked_attached_asdasd.p7s", Auth, person},
		{"rsa_individual_sign_revoked_attached_asdasd.p7s", Sign, person},
		{"rsa_legal_head_auth_revoked_attached_asdasd.p7s", Auth, head},
	}
	content := ncaFile(t, dk+"content_asdasd.txt")
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			cms := ncaFile(t, dk+tt.file)
			s, err := ncaVerifier(t, at).Verify(t.Context(), cms, content, tt.purpose)
			if err != nil {
				t.Fatal(err)
			}
			tt.want.SignedAt = s.SignedAt
			if diff := cmp.Diff(tt.want, identityOf(s)); diff != "" {
				t.Errorf("signer mismatch (-want +got):\n%s", diff)
			}
			if want := time.Date(2020, 9, 10, 9, 0, 0, 0, time.UTC); !s.SignedAt.Equal(want) {
				t.Errorf("SignedAt = %v, want the time of receipt %v", s.SignedAt, want)
			}

			wrong := Sign
			if tt.purpose == Sign {
				wrong = Auth
			}
			_, err = ncaVerifier(t, at).Verify(t.Context(), cms, content, wrong)
			wantRefusal(t, err, CodeWrongKeyUsage)

			// …and a CRL issued after a certificate expired cannot vouch for it.
			_, err = ncaVerifier(t, at, rsaCRL).Verify(t.Context(), cms, content, tt.purpose)
			wantRefusal(t, err, CodeRevocationUnknown)

			_, err = ncaVerifier(t, at).Verify(t.Context(), cms, []byte("asdasd\n"), tt.purpose)
			wantRefusal(t, err, CodeContentMismatch)

			// Received today, they are refused: the certificates expired.
			_, err = ncaVerifier(t, "2026-11-25T12:00:00Z").Verify(t.Context(), cms, content, tt.purpose)
			wantRefusal(t, err, CodeExpired)
		})
	}
}

// signingTime reads the signer's claimed time from a CMS.
func signingTime(t *testing.T, cms []byte) time.Time {
	t.Helper()
	m, err := parse(cms)
	if err != nil {
		t.Fatal(err)
	}
	v, found, err := m.signers[0].attr(oidSigningTime)
	if err != nil || !found {
		t.Fatalf("signingTime: %v, found %v", err, found)
	}
	var at time.Time
	if _, err := asn1.Unmarshal(v.FullBytes, &at); err != nil {
		t.Fatal(err)
	}
	return at
}

// NCANode's RSA samples were made in Sep/Oct 2022 with a key whose
// certificate expired on 2022-01-18. Received at their signingTime they
// are expired. The signature itself is sound: at a time inside the
// validity it verifies, so only the time refuses them — and that time must
// be ours, since the signer writes signingTime.
func TestNCASignedAfterExpiry(t *testing.T) {
	for _, tt := range []struct{ file, content string }{
		{"rsa_individual_attached_lol_kek.p7s", "content_lol_kek.txt"},
		{"rsa_individual_attached_test123.p7s", "content_test123.txt"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			cms, content := ncaFile(t, mz+tt.file), ncaFile(t, mz+tt.content)
			claimed := signingTime(t, cms)
			_, err := ncaVerifier(t, claimed.Format(time.RFC3339)).Verify(t.Context(), cms, content, Sign)
			wantRefusal(t, err, CodeExpired, "2022-01-18")

			s, err := ncaVerifier(t, "2021-06-01T00:00:00Z").Verify(t.Context(), cms, content, Sign)
			if err != nil {
				t.Fatalf("inside the validity: %v", err)
			}
			if !claimed.After(s.Certificate.NotAfter) {
				t.Errorf("signingTime %v is not after NotAfter %v", claimed, s.Certificate.NotAfter)
			}
			// The signature holds over a claim of a time the certificate
			// was no longer valid: signingTime is the signer's word, which
			// (backdated) would equally have "shown" a valid certificate.
			if s.SignedAt.Equal(claimed) {
				t.Error("SignedAt took the claimed signingTime")
			}
		})
	}
}

// Revoked keys from malikzh/NCANode are on the NCA RSA test CRL of
// 2022-03-29 (Superseded, 2022-01-18). A CMS made with them (OpenSSL,
// testdata/nca/cms/made_here) is refused as revoked while the CRL is fresh
// and still when it is stale: a listed serial stays revoked.
func TestNCARevokedByCRL(t *testing.T) {
	content := ncaFile(t, "cms/made_here/content_revoked_check.txt")
	for _, tt := range []struct {
		file    string
		purpose Purpose
	}{
		{"rsa_individual_sign_revoked_attached_revoked_check.p7s", Sign},
		{"rsa_individual_auth_revoked_attached_revoked_check.p7s", Auth},
	} {
		t.Run(tt.file, func(t *testing.T) {
			cms := ncaFile(t, "cms/made_here/"+tt.file)
			s, err := ncaVerifier(t, "2022-05-01T00:00:00Z").Verify(t.Context(), cms, content, tt.purpose)
			if err != nil {
				t.Fatalf("without a CRL: %v", err)
			}
			if s.IIN != "123456789011" || s.Algorithm != "RSA-SHA256" {
				t.Errorf("IIN %q, algorithm %q", s.IIN, s.Algorithm)
			}
			for _, at := range []string{"2022-05-01T00:00:00Z", "2022-12-01T00:00:00Z"} {
				_, err = ncaVerifier(t, at, rsaCRL).Verify(t.Context(), cms, content, tt.purpose)
				wantRefusal(t, err, CodeRevoked, s.Serial, "2022-01-18")
			}
		})
	}
}

// GOST signatures are refused by name until GOST algorithms plug in; a CMS
// with two signers (NCANode's RSA + GOST 2015) is refused before that.
func TestNCAGOSTAndMultiSigner(t *testing.T) {
	const gost2004 = "GOST 34.310-2004 (1.2.398.3.10.1.1.1.2)"
	const gost2015 = "GOST 34.10-2015 512-bit (1.2.398.3.10.1.1.2.3.2)"
	tests := []struct {
		file, content, at string
		code, detail      string
	}{
		{dk + "gost2004_legal_head_sign_active_attached_asdasd.p7s", dk + "content_asdasd.txt", "2020-09-10T09:00:00Z", CodeUnsupportedAlgorithm, gost2004},
		{dk + "gost2004_legal_head_sign_revoked_attached_asdasd.p7s", dk + "content_asdasd.txt", "2020-09-10T09:00:00Z", CodeUnsupportedAlgorithm, gost2004},
		{"cms/skarm_kalkan/gost2015_individual_attached.p7s", "cms/skarm_kalkan/individual_document.txt", "2026-07-21T00:00:00Z", CodeUnsupportedAlgorithm, gost2015},
		{"cms/skarm_kalkan/gost2015_legal_head_detached.p7s", "cms/skarm_kalkan/legal_entity_document.txt", "2026-07-21T00:00:00Z", CodeUnsupportedAlgorithm, gost2015},
		{"cms/mitwork_kalkan/gost2015_legal_head_attached_tsp.p7s", "cms/mitwork_kalkan/content_b5eb2d.bin", "2025-02-25T00:00:00Z", CodeUnsupportedAlgorithm, gost2015},
		{mz + "rsa+gost2015_two_signers_attached_test123.p7s", mz + "content_test123.txt", "2021-06-01T00:00:00Z", CodeTooManySigners, "2 SignerInfos"},
		{mz + "rsa+gost2015_two_signers_detached_test123.p7s", mz + "content_test123.txt", "2021-06-01T00:00:00Z", CodeTooManySigners, "2 SignerInfos"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			for _, p := range []Purpose{Auth, Sign} {
				_, err := ncaVerifier(t, tt.at).Verify(t.Context(), ncaFile(t, tt.file), ncaFile(t, tt.content), p)
				wantRefusal(t, err, tt.code, tt.detail)
			}
		})
	}
}

// A real NCA test key, its certificate expired 2023-01-18, signs with a
// backdated clock (signingTime 2022-06-01, made with faketime, see
// SOURCES.md). Trusting signingTime — as the parsing library's own Verify
// does — accepts it; received now it is expired.
func TestNCABackdatedSigningTime(t *testing.T) {
	cms := ncaFile(t, "cms/made_here/rsa_individual_sign_revoked_attached_backdated_check.p7s")
	content := ncaFile(t, "cms/made_here/content_backdated_check.txt")
	if got, want := signingTime(t, cms), time.Date(2022, 6, 1, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("signingTime = %v, want %v", got, want)
	}
	p7, err := pkcs7.Parse(cms)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ncaCert(t, "ca/root_rsa_test.pem"))
	if err := p7.VerifyWithChain(roots); err != nil {
		t.Fatalf("trusting signingTime refused it (%v); the premise of this test changed", err)
	}

	_, err = ncaVerifier(t, "2026-11-25T12:00:00Z").Verify(t.Context(), cms, content, Sign)
	wantRefusal(t, err, CodeExpired, "2023-01-18")
	// At a time of receipt inside the validity the signature holds, and the
	// CRL then shows the key was revoked.
	if _, err := ncaVerifier(t, "2022-06-01T12:00:00Z").Verify(t.Context(), cms, content, Sign); err != nil {
		t.Fatalf("inside the validity: %v", err)
	}
	_, err = ncaVerifier(t, "2022-06-01T12:00:00Z", rsaCRL).Verify(t.Context(), cms, content, Sign)
	wantRefusal(t, err, CodeRevoked)
}
