package eds

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

func mustCRL(t *testing.T, issuer *x509.Certificate, key crypto.Signer, this, next time.Time, revoked ...*big.Int) *x509.RevocationList {
	t.Helper()
	tmpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: this, NextUpdate: next}
	for _, s := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: s, RevocationTime: this.Add(-time.Hour), ReasonCode: 1})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, issuer, key)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return crl
}

func TestRevocationByCRL(t *testing.T) {
	p := newPKI(t, "rsa", "A")
	cert, key := p.issue(t, ee{alg: "rsa", purpose: Auth})
	cms := p.sign(t, cert, key, nonce, signing{})
	day := 24 * time.Hour
	fresh := func(revoked ...*big.Int) *x509.RevocationList {
		return mustCRL(t, p.inter, p.interKey, base.Add(-day), base.Add(day), revoked...)
	}
	other := newPKI(t, "rsa", "B")
	forged := mustCRL(t, p.inter, other.interKey, base.Add(-day), base.Add(day), cert.SerialNumber) // names our CA, signed by another key
	tests := []struct {
		name    string
		crls    []*x509.RevocationList
		require bool
		code    string // "" accepts
	}{
		{"no CRL", nil, false, ""},
		{"no CRL, revocation required", nil, true, CodeRevocationUnknown},
		{"fresh CRL without the serial", []*x509.RevocationList{fresh(big.NewInt(7))}, true, ""},
		{"serial listed", []*x509.RevocationList{fresh(big.NewInt(7), cert.SerialNumber)}, false, CodeRevoked},
		{"listed in a stale CRL: still revoked", []*x509.RevocationList{mustCRL(t, p.inter, p.interKey, base.Add(-3*day), base.Add(-day), cert.SerialNumber)}, false, CodeRevoked},
		{"only a stale CRL of the issuer", []*x509.RevocationList{mustCRL(t, p.inter, p.interKey, base.Add(-3*day), base.Add(-day))}, false, CodeRevocationUnknown},
		{"a stale and a fresh CRL", []*x509.RevocationList{mustCRL(t, p.inter, p.interKey, base.Add(-3*day), base.Add(-day)), fresh()}, false, ""},
		{"CRL of a CA of the same name with another key is ignored", []*x509.RevocationList{mustCRL(t, other.inter, other.interKey, base.Add(-day), base.Add(day), cert.SerialNumber)}, false, ""},
		{"a forged CRL does not count", []*x509.RevocationList{forged}, false, ""},
		{"a forged CRL does not count, revocation required", []*x509.RevocationList{forged}, true, CodeRevocationUnknown},
		{"a forged CRL beside a fresh one", []*x509.RevocationList{forged, fresh()}, true, ""},
		{"the intermediate revoked by the root", []*x509.RevocationList{fresh(), mustCRL(t, p.root, p.rootKey, base.Add(-day), base.Add(day), p.inter.SerialNumber)}, false, CodeRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := p.verifier(base)
			v.CRLs, v.RequireRevocation = tt.crls, tt.require
			s, err := v.Verify(t.Context(), cms, nonce, Auth)
			if tt.code == "" {
				if err != nil || s == nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			wantRefusal(t, err, tt.code)
		})
	}
}

func TestRevocationByOCSP(t *testing.T) {
	p := newPKI(t, "ecdsa", "A")
	cert, key := p.issue(t, ee{alg: "ecdsa", purpose: Sign})
	cms := p.sign(t, cert, key, nonce, signing{detached: true})
	responder := func(eku []x509.ExtKeyUsage) (*x509.Certificate, crypto.Signer) {
		k := testKey(t, "ecdsa", "ocsp")
		return mustCert(t, &x509.Certificate{
			SerialNumber: serial(t), Subject: pkix.Name{CommonName: "OCSP RESPONDER"},
			NotBefore: base.AddDate(0, -1, 0), NotAfter: base.AddDate(0, 1, 0),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: eku,
		}, p.inter, k.Public(), p.interKey), k
	}
	goodResponder, goodKey := responder([]x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning})
	userCert, userKey := responder([]x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth})
	answer := func(status int, by *x509.Certificate, byKey crypto.Signer, embed bool, this time.Time) func(context.Context, *x509.Certificate, *x509.Certificate) ([]byte, error) {
		return func(_ context.Context, c, issuer *x509.Certificate) ([]byte, error) {
			tmpl := ocsp.Response{Status: status, SerialNumber: c.SerialNumber, ThisUpdate: this, NextUpdate: this.Add(4 * time.Hour),
				RevokedAt: base.AddDate(0, -1, 0), RevocationReason: ocsp.KeyCompromise}
			if embed {
				tmpl.Certificate = by
			}
			return ocsp.CreateResponse(issuer, by, tmpl, byKey)
		}
	}
	recent := base.Add(-time.Hour)
	tests := []struct {
		name string
		ocsp func(context.Context, *x509.Certificate, *x509.Certificate) ([]byte, error)
		code string
	}{
		{"good, signed by the CA", answer(ocsp.Good, p.inter, p.interKey, false, recent), ""},
		{"good, delegated responder", answer(ocsp.Good, goodResponder, goodKey, true, recent), ""},
		{"revoked", answer(ocsp.Revoked, goodResponder, goodKey, true, recent), CodeRevoked},
		{"unknown", answer(ocsp.Unknown, p.inter, p.interKey, false, recent), CodeRevocationUnknown},
		{"signed by a user certificate of the same CA", answer(ocsp.Good, userCert, userKey, true, recent), CodeRevocationUnknown},
		{"signed by another CA", answer(ocsp.Good, newPKI(t, "ecdsa", "B").inter, testKey(t, "ecdsa", "Binter"), false, recent), CodeRevocationUnknown},
		{"stale answer", answer(ocsp.Good, p.inter, p.interKey, false, base.Add(-8*time.Hour)), CodeRevocationUnknown},
		{"responder down", func(context.Context, *x509.Certificate, *x509.Certificate) ([]byte, error) {
			return nil, errors.New("connection refused")
		}, CodeRevocationUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := p.verifier(base)
			v.OCSP, v.RequireRevocation = tt.ocsp, true
			s, err := v.Verify(t.Context(), cms, nonce, Sign)
			if tt.code == "" {
				if err != nil || s == nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			wantRefusal(t, err, tt.code)
		})
	}
}
