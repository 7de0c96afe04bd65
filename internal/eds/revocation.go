package eds

import (
	"bytes"
	"context"
	"crypto/x509"
	"time"

	"golang.org/x/crypto/ocsp"
)

// checkRevocation checks every certificate of the chain below the root
// against the CRLs of its issuer, and the signer certificate by OCSP when
// configured.
func (v *Verifier) checkRevocation(ctx context.Context, chain []*x509.Certificate, at time.Time) error {
	for i := 0; i+1 < len(chain); i++ {
		cert, issuer := chain[i], chain[i+1]
		known, err := v.checkCRLs(cert, issuer, at)
		if err != nil {
			return err
		}
		if i > 0 {
			continue // OCSP only for the signer certificate
		}
		if v.OCSP != nil {
			if err := v.checkOCSP(ctx, cert, issuer, at); err != nil {
				return err
			}
			known = true
		}
		if !known && v.RequireRevocation {
			return refuse(CodeRevocationUnknown, "no CRL of %q and no OCSP to check serial %s", issuer.Subject.CommonName, cert.SerialNumber.Text(16))
		}
	}
	return nil
}

// checkCRLs looks cert up in the CRLs issued by issuer. known is true when
// one of them could vouch for it: not stale at the trusted time and issued
// before the certificate expired (RFC 5280 §3.3 lets a CA drop an expired
// certificate from later CRLs, so a newer CRL says nothing about it).
func (v *Verifier) checkCRLs(cert, issuer *x509.Certificate, at time.Time) (known bool, err error) {
	seen := false
	for _, crl := range v.CRLs {
		// Same name is not enough: NCA re-keys CAs under the same name
		// (nca_rsa 2015 and 2018), so a CRL counts only when the issuer's
		// key signed it; any other is not this issuer's.
		if !bytes.Equal(crl.RawIssuer, issuer.RawSubject) || crl.CheckSignatureFrom(issuer) != nil {
			continue
		}
		seen = true
		for _, e := range crl.RevokedCertificateEntries {
			if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
				return true, refuse(CodeRevoked, "serial %s revoked %s (reason %d) in the CRL of %q of %s",
					cert.SerialNumber.Text(16), e.RevocationTime.UTC().Format(time.RFC3339), e.ReasonCode,
					issuer.Subject.CommonName, crl.ThisUpdate.UTC().Format(time.RFC3339))
			}
		}
		fresh := crl.NextUpdate.IsZero() || !at.After(crl.NextUpdate)
		if fresh && !crl.ThisUpdate.After(cert.NotAfter) {
			known = true
		}
	}
	if seen && !known {
		return false, refuse(CodeRevocationUnknown, "the CRLs of %q are stale at %s or were issued after serial %s expired",
			issuer.Subject.CommonName, at.UTC().Format(time.RFC3339), cert.SerialNumber.Text(16))
	}
	return known, nil
}

// checkOCSP fetches and verifies an OCSP response: signed by the issuer or
// by a responder certificate that the issuer signed and that has EKU
// OCSPSigning (x/crypto/ocsp checks the signatures, not that EKU), for this
// serial, current at the trusted time.
func (v *Verifier) checkOCSP(ctx context.Context, cert, issuer *x509.Certificate, at time.Time) error {
	der, err := v.OCSP(ctx, cert, issuer)
	if err != nil {
		return refuse(CodeRevocationUnknown, "OCSP: %v", err)
	}
	resp, err := ocsp.ParseResponseForCert(der, cert, issuer)
	if err != nil {
		return refuse(CodeRevocationUnknown, "OCSP response not accepted: %v", err)
	}
	if rc := resp.Certificate; rc != nil {
		ok := false
		for _, u := range rc.ExtKeyUsage {
			ok = ok || u == x509.ExtKeyUsageOCSPSigning
		}
		if !ok {
			return refuse(CodeRevocationUnknown, "OCSP responder %q lacks EKU OCSPSigning", rc.Subject.CommonName)
		}
		if at.Before(rc.NotBefore) || at.After(rc.NotAfter) {
			return refuse(CodeRevocationUnknown, "OCSP responder %q is not valid at %s", rc.Subject.CommonName, at.UTC().Format(time.RFC3339))
		}
	}
	const skew = 5 * time.Minute
	if resp.ThisUpdate.After(at.Add(skew)) || (!resp.NextUpdate.IsZero() && at.After(resp.NextUpdate)) {
		return refuse(CodeRevocationUnknown, "OCSP response for %s–%s is not current at %s",
			resp.ThisUpdate.UTC().Format(time.RFC3339), resp.NextUpdate.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	}
	switch resp.Status {
	case ocsp.Good:
		return nil
	case ocsp.Revoked:
		return refuse(CodeRevoked, "OCSP: serial %s revoked %s (reason %d)", cert.SerialNumber.Text(16), resp.RevokedAt.UTC().Format(time.RFC3339), resp.RevocationReason)
	}
	return refuse(CodeRevocationUnknown, "OCSP: status unknown for serial %s", cert.SerialNumber.Text(16))
}
