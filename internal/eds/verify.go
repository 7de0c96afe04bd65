// Package eds verifies, on the server, a Kazakhstan electronic digital
// signature (ЭЦП): a CMS SignedData that NCALayer made in the browser with
// an NCA RK (НУЦ РК) certificate, for a login or for a signed document.
//
// A library parses the CMS; every check is ours, each with its own Error
// code, in this order:
//
//  1. exactly one SignerInfo (no_signer, too_many_signers); its certificate
//     is the CMS certificate with its IssuerAndSerialNumber (no_signer);
//  2. signature and digest algorithm by OID (unsupported_algorithm, naming
//     the algorithm: GOST ones are refused until they plug in);
//  3. attached content equals what we issued exactly (content_mismatch);
//  4. signed attributes: contentType id-data, messageDigest = H(content)
//     (digest_mismatch), signature over their DER re-tagged as SET
//     (bad_signature); without them, the signature over the content;
//  5. the certificate at the trusted time — the time of receipt, never the
//     signer's claimed signingTime (expired, not_yet_valid); the chain to
//     the trusted roots at that time (unknown_root, expired, bad_chain);
//  6. key usage for the purpose (wrong_key_usage): login needs EKU
//     clientAuth + KU digitalSignature (the NCA AUTH key), signing needs
//     EKU emailProtection or an NCA signing policy + KU nonRepudiation (the
//     NCA SIGN key);
//  7. revocation by the CRLs given and OCSP when configured (revoked,
//     revocation_unknown);
//
// then the identity: IIN, BIN, names and roles from the certificate.
package eds

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"
)

// Verifier checks CMS signatures against trusted roots. The zero value of
// each optional field means: Algorithms = DefaultAlgorithms(), Digests =
// DefaultDigests(), Now = time.Now.
type Verifier struct {
	Roots         *x509.CertPool // trusted roots; nil trusts nothing
	Intermediates *x509.CertPool // CA certificates besides those in the CMS
	// CRLs are checked when present: a listed serial is "revoked"; when
	// every CRL of the issuer is stale (NextUpdate passed) or was issued
	// after the certificate expired, the status is "revocation_unknown".
	CRLs []*x509.RevocationList
	// OCSP, optional, fetches a DER OCSP response for (cert, issuer). The
	// response is used only after its signature is verified.
	OCSP func(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, error)
	// RequireRevocation refuses ("revocation_unknown") a signer certificate
	// for which no CRL of its issuer and no OCSP answer was had.
	RequireRevocation bool
	Algorithms        map[string]Algorithm // by signature algorithm OID
	Digests           map[string]Digest    // by digest algorithm OID
	Now               func() time.Time
}

// Verify checks a CMS (PEM "-----BEGIN CMS-----" / "-----BEGIN PKCS7-----",
// base64 DER or DER) over content — attached: the eContent must equal
// content exactly; detached: content is what was signed — for a purpose,
// and returns the signer. A refusal is an *Error.
func (v *Verifier) Verify(ctx context.Context, cms []byte, content []byte, purpose Purpose) (*Signer, error) {
	der, err := decode(cms)
	if err != nil {
		return nil, err
	}
	m, err := parse(der)
	if err != nil {
		return nil, err
	}
	si, cert, err := oneSigner(m)
	if err != nil {
		return nil, err
	}
	alg, digest, err := v.algorithms(si)
	if err != nil {
		return nil, err
	}
	if m.attached && !bytes.Equal(m.content, content) {
		return nil, refuse(CodeContentMismatch, "the attached content (%d bytes) is not the content expected (%d bytes)", len(m.content), len(content))
	}
	if err := checkSignature(si, cert, alg, digest, content); err != nil {
		return nil, err
	}

	at := v.now()
	chain, err := v.chain(cert, m.certs, at)
	if err != nil {
		return nil, err
	}
	if err := checkKeyUsage(cert, purpose); err != nil {
		return nil, err
	}
	if err := v.checkRevocation(ctx, chain, at); err != nil {
		return nil, err
	}

	s := identify(cert)
	s.Chain = chain
	s.SignedAt = at
	s.Algorithm = alg.Name()
	return s, nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// oneSigner insists on one SignerInfo (NCALayer makes one per call) and
// finds its certificate among those the CMS carries.
func oneSigner(m *message) (*signerInfo, *x509.Certificate, error) {
	switch n := len(m.signers); {
	case n == 0:
		return nil, nil, refuse(CodeNoSigner, "the CMS has no SignerInfo that could be read (only issuerAndSerialNumber identifies a signer)")
	case n > 1:
		return nil, nil, refuse(CodeTooManySigners, "%d SignerInfos, one expected", n)
	}
	si := &m.signers[0]
	if si.serial == nil {
		return nil, nil, refuse(CodeMalformed, "SignerInfo without a serial number")
	}
	for _, c := range m.certs {
		if c.SerialNumber.Cmp(si.serial) == 0 && bytes.Equal(c.RawIssuer, si.issuer) {
			return si, c, nil
		}
	}
	return nil, nil, refuse(CodeNoSigner, "the signer certificate (serial %s) is not in the CMS", si.serial.Text(16))
}

// algorithms picks the signature and digest algorithms by OID.
func (v *Verifier) algorithms(si *signerInfo) (Algorithm, Digest, error) {
	algs, digests := v.Algorithms, v.Digests
	if algs == nil {
		algs = DefaultAlgorithms()
	}
	if digests == nil {
		digests = DefaultDigests()
	}
	alg, ok := algs[si.sigOID]
	if !ok {
		return nil, Digest{}, refuse(CodeUnsupportedAlgorithm, "signature algorithm %s is not supported (digest %s)", oidName(si.sigOID), oidName(si.digestOID))
	}
	digest, ok := digests[si.digestOID]
	if !ok {
		return nil, Digest{}, refuse(CodeUnsupportedAlgorithm, "digest algorithm %s is not supported", oidName(si.digestOID))
	}
	if ka, ok := alg.(KeyAlgorithm); ok {
		full, ok := ka.ForDigest(si.digestOID)
		if !ok {
			return nil, Digest{}, refuse(CodeUnsupportedAlgorithm, "%s with digest %s is not supported", oidName(si.sigOID), oidName(si.digestOID))
		}
		alg = full
	}
	return alg, digest, nil
}

// checkSignature checks the signed attributes and the signature.
func checkSignature(si *signerInfo, cert *x509.Certificate, alg Algorithm, digest Digest, content []byte) error {
	signed := content
	if si.signedAttrs != nil {
		ct, found, err := si.attr(oidContentType)
		if err != nil {
			return err
		}
		var ctOID asn1.ObjectIdentifier
		if !found {
			return refuse(CodeMalformed, "signed attributes without contentType")
		}
		if _, err := asn1.Unmarshal(ct.FullBytes, &ctOID); err != nil || !ctOID.Equal(oidData) {
			return refuse(CodeMalformed, "contentType is %s, not id-data", ctOID)
		}
		md, found, err := si.attr(oidMessageDigest)
		if err != nil {
			return err
		}
		if !found || md.Class != asn1.ClassUniversal || md.Tag != asn1.TagOctetString {
			return refuse(CodeMalformed, "signed attributes without a messageDigest OCTET STRING")
		}
		h := digest.New()
		h.Write(content)
		if !bytes.Equal(md.Bytes, h.Sum(nil)) {
			return refuse(CodeDigestMismatch, "messageDigest is not the %s of the content", digest.Name)
		}
		if signed, err = si.signedAttrsDER(); err != nil {
			return refuse(CodeMalformed, "signed attributes: %v", err)
		}
	}
	if err := alg.Verify(cert.RawSubjectPublicKeyInfo, signed, si.signature); err != nil {
		return refuse(CodeBadSignature, "%s: %v", alg.Name(), err)
	}
	return nil
}

// chain checks the signer certificate's validity at the trusted time, then
// its chain to the roots at that time. Any EKU is let through x509 here:
// NCA EKUs are unknown to it and checkKeyUsage does that check.
func (v *Verifier) chain(cert *x509.Certificate, cmsCerts []*x509.Certificate, at time.Time) ([]*x509.Certificate, error) {
	if at.After(cert.NotAfter) {
		return nil, refuse(CodeExpired, "the signer certificate expired %s, the trusted time is %s", cert.NotAfter.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	}
	if at.Before(cert.NotBefore) {
		return nil, refuse(CodeNotYetValid, "the signer certificate is valid from %s, the trusted time is %s", cert.NotBefore.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	}
	if v.Roots == nil {
		return nil, refuse(CodeUnknownRoot, "no trusted roots are configured")
	}
	inter := x509.NewCertPool()
	if v.Intermediates != nil {
		inter = v.Intermediates.Clone()
	}
	for _, c := range cmsCerts {
		if c != cert {
			inter.AddCert(c)
		}
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots:         v.Roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err == nil {
		return chains[0], nil
	}
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		return nil, refuse(CodeUnknownRoot, "issuer %q does not lead to a trusted root", cert.Issuer.CommonName)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return nil, refuse(CodeExpired, "CA certificate %q is not valid at %s", invalid.Cert.Subject.CommonName, at.UTC().Format(time.RFC3339))
	}
	return nil, refuse(CodeBadChain, "%v", err)
}

// NCA certificate policies of the signing keys of older certificates
// (legal entity, individual); 2022-generation certificates carry only
// 1.2.398.3.3.2 and are told apart by EKU.
var signPolicies = []asn1.ObjectIdentifier{
	{1, 2, 398, 3, 3, 2, 1},
	{1, 2, 398, 3, 3, 2, 3},
}

// checkKeyUsage: NCA issues an AUTH key (EKU clientAuth, KU
// digitalSignature+keyEncipherment) and a SIGN key (EKU emailProtection,
// KU digitalSignature+nonRepudiation); each is accepted only for its use.
func checkKeyUsage(cert *x509.Certificate, p Purpose) error {
	hasEKU := func(u x509.ExtKeyUsage) bool {
		for _, e := range cert.ExtKeyUsage {
			if e == u {
				return true
			}
		}
		return false
	}
	switch p {
	case Auth:
		if hasEKU(x509.ExtKeyUsageClientAuth) && cert.KeyUsage&x509.KeyUsageDigitalSignature != 0 {
			return nil
		}
		return refuse(CodeWrongKeyUsage, "authentication needs EKU clientAuth (1.3.6.1.5.5.7.3.2) and keyUsage digitalSignature; %s", usages(cert))
	case Sign:
		policy := false
		for _, have := range cert.Policies {
			for _, o := range signPolicies {
				policy = policy || have.EqualASN1OID(o)
			}
		}
		if (hasEKU(x509.ExtKeyUsageEmailProtection) || policy) && cert.KeyUsage&x509.KeyUsageContentCommitment != 0 {
			return nil
		}
		return refuse(CodeWrongKeyUsage, "signing needs EKU emailProtection (1.3.6.1.5.5.7.3.4) or an NCA signing policy, and keyUsage nonRepudiation; %s", usages(cert))
	}
	return refuse(CodeWrongKeyUsage, "unknown purpose %d", int(p))
}

func usages(cert *x509.Certificate) string {
	ekus := map[x509.ExtKeyUsage]string{
		x509.ExtKeyUsageAny: "any", x509.ExtKeyUsageServerAuth: "serverAuth",
		x509.ExtKeyUsageClientAuth: "clientAuth", x509.ExtKeyUsageEmailProtection: "emailProtection",
		x509.ExtKeyUsageCodeSigning: "codeSigning", x509.ExtKeyUsageTimeStamping: "timeStamping",
		x509.ExtKeyUsageOCSPSigning: "OCSPSigning",
	}
	var e []string
	for _, u := range cert.ExtKeyUsage {
		if n, ok := ekus[u]; ok {
			e = append(e, n)
		} else {
			e = append(e, fmt.Sprint(int(u)))
		}
	}
	for _, o := range cert.UnknownExtKeyUsage {
		e = append(e, o.String())
	}
	var k []string
	for i, n := range []string{"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"} {
		if cert.KeyUsage&(1<<i) != 0 {
			k = append(k, n)
		}
	}
	return fmt.Sprintf("the certificate has EKU %v, keyUsage %v", e, k)
}
