package eds

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"hash"
)

// OIDs of the algorithms the defaults know, and of those only named.
const (
	oidSHA256 = "2.16.840.1.101.3.4.2.1"
	oidSHA384 = "2.16.840.1.101.3.4.2.2"
	oidSHA512 = "2.16.840.1.101.3.4.2.3"

	oidRSAEncryption = "1.2.840.113549.1.1.1"
	oidSHA256WithRSA = "1.2.840.113549.1.1.11"
	oidSHA384WithRSA = "1.2.840.113549.1.1.12"
	oidSHA512WithRSA = "1.2.840.113549.1.1.13"

	oidECPublicKey     = "1.2.840.10045.2.1"
	oidECDSAWithSHA256 = "1.2.840.10045.4.3.2"
	oidECDSAWithSHA384 = "1.2.840.10045.4.3.3"
	oidECDSAWithSHA512 = "1.2.840.10045.4.3.4"
)

// oidNames names OIDs in errors, so an operator reads "GOST 34.10-2015
// 512-bit (1.2.398.3.10.1.1.2.3.2)" rather than a bare number. The Kazakh
// GOST OIDs are those of NCA RK (НУЦ РК) certificates and NCALayer output.
var oidNames = map[string]string{
	oidSHA256: "SHA-256", oidSHA384: "SHA-384", oidSHA512: "SHA-512",
	"1.3.14.3.2.26":          "SHA-1",
	"1.2.840.113549.2.5":     "MD5",
	"2.16.840.1.101.3.4.2.4": "SHA-224",

	oidRSAEncryption: "rsaEncryption", oidSHA256WithRSA: "RSA-SHA256",
	oidSHA384WithRSA: "RSA-SHA384", oidSHA512WithRSA: "RSA-SHA512",
	"1.2.840.113549.1.1.4":  "RSA-MD5",
	"1.2.840.113549.1.1.5":  "RSA-SHA1",
	"1.2.840.113549.1.1.10": "RSA-PSS",
	"1.2.840.113549.1.1.14": "RSA-SHA224",
	oidECPublicKey:          "ecPublicKey", oidECDSAWithSHA256: "ECDSA-SHA256",
	oidECDSAWithSHA384: "ECDSA-SHA384", oidECDSAWithSHA512: "ECDSA-SHA512",
	"1.2.840.10045.4.1": "ECDSA-SHA1",
	"1.3.101.112":       "Ed25519",

	// Kazakhstan (NCA RK, KalkanCrypt).
	"1.2.398.3.10.1.1.1.1":   "GOST 34.310-2004 key",
	"1.2.398.3.10.1.1.1.2":   "GOST 34.310-2004",
	"1.2.398.3.10.1.3.1":     "GOST 34.311-95",
	"1.2.398.3.10.1.1.2.1":   "GOST 34.10-2015 256-bit key",
	"1.2.398.3.10.1.1.2.2":   "GOST 34.10-2015 512-bit key",
	"1.2.398.3.10.1.1.2.3.1": "GOST 34.10-2015 256-bit",
	"1.2.398.3.10.1.1.2.3.2": "GOST 34.10-2015 512-bit",
	"1.2.398.3.10.1.3.2":     "GOST 34.11-2015 (Streebog) 256-bit",
	"1.2.398.3.10.1.3.3":     "GOST 34.11-2015 (Streebog) 512-bit",
	// Russia (do not occur in NCA data, named for clarity).
	"1.2.643.7.1.1.3.2": "GOST R 34.10-2012 256-bit",
	"1.2.643.7.1.1.3.3": "GOST R 34.10-2012 512-bit",
	"1.2.643.7.1.1.2.2": "GOST R 34.11-2012 (Streebog) 256-bit",
	"1.2.643.7.1.1.2.3": "GOST R 34.11-2012 (Streebog) 512-bit",
}

// oidName is "Name (OID)", or the bare OID for one we do not know.
func oidName(oid string) string {
	if n, ok := oidNames[oid]; ok {
		return n + " (" + oid + ")"
	}
	return oid
}

// Digest is a message digest of one OID: it computes the messageDigest
// attribute. GOST 34.311-95 and Streebog plug in here later.
type Digest struct {
	Name string
	New  func() hash.Hash
}

// DefaultDigests gives SHA-256, SHA-384 and SHA-512. SHA-1 and MD5 are
// left out on purpose: a signature over them is refused.
func DefaultDigests() map[string]Digest {
	return map[string]Digest{
		oidSHA256: {"SHA-256", sha256.New},
		oidSHA384: {"SHA-384", sha512.New384},
		oidSHA512: {"SHA-512", sha512.New},
	}
}

// Algorithm verifies a signature of one OID family; RSA and ECDSA now, the
// GOST ones later plug in here.
type Algorithm interface {
	// Name is shown in errors and to operators.
	Name() string
	// Verify checks signature over signed (the message, not its hash) with
	// the key in spki, the DER SubjectPublicKeyInfo of the signer
	// certificate (x509 leaves PublicKey nil for GOST keys, so the raw SPKI
	// is what every algorithm can read).
	Verify(spki, signed, signature []byte) error
}

// KeyAlgorithm is an Algorithm registered under a key OID rather than a
// signature OID (rsaEncryption, ecPublicKey as SignerInfo
// signatureAlgorithm, which KalkanCrypt and BouncyCastle write): the
// SignerInfo's digest algorithm completes it.
type KeyAlgorithm interface {
	Algorithm
	// ForDigest is the full algorithm for the digest OID, false if none.
	ForDigest(digestOID string) (Algorithm, bool)
}

// DefaultAlgorithms gives RSA PKCS#1 v1.5 and ECDSA with SHA-256/384/512,
// and rsaEncryption / ecPublicKey completed by the SignerInfo's digest.
func DefaultAlgorithms() map[string]Algorithm {
	rsaByDigest := map[string]Algorithm{
		oidSHA256: rsaPKCS1{"RSA-SHA256", crypto.SHA256},
		oidSHA384: rsaPKCS1{"RSA-SHA384", crypto.SHA384},
		oidSHA512: rsaPKCS1{"RSA-SHA512", crypto.SHA512},
	}
	ecByDigest := map[string]Algorithm{
		oidSHA256: ecdsaASN1{"ECDSA-SHA256", crypto.SHA256},
		oidSHA384: ecdsaASN1{"ECDSA-SHA384", crypto.SHA384},
		oidSHA512: ecdsaASN1{"ECDSA-SHA512", crypto.SHA512},
	}
	return map[string]Algorithm{
		oidSHA256WithRSA:   rsaByDigest[oidSHA256],
		oidSHA384WithRSA:   rsaByDigest[oidSHA384],
		oidSHA512WithRSA:   rsaByDigest[oidSHA512],
		oidRSAEncryption:   byDigest{"RSA", rsaByDigest},
		oidECDSAWithSHA256: ecByDigest[oidSHA256],
		oidECDSAWithSHA384: ecByDigest[oidSHA384],
		oidECDSAWithSHA512: ecByDigest[oidSHA512],
		oidECPublicKey:     byDigest{"ECDSA", ecByDigest},
	}
}

// byDigest is a KeyAlgorithm: a key OID whose hash comes from the digest.
type byDigest struct {
	name string
	algs map[string]Algorithm
}

func (b byDigest) Name() string { return b.name }

func (b byDigest) Verify(spki, signed, signature []byte) error {
	return errors.New("the digest algorithm is needed to verify with " + b.name)
}

func (b byDigest) ForDigest(digestOID string) (Algorithm, bool) {
	a, ok := b.algs[digestOID]
	return a, ok
}

type rsaPKCS1 struct {
	name string
	hash crypto.Hash
}

func (a rsaPKCS1) Name() string { return a.name }

func (a rsaPKCS1) Verify(spki, signed, signature []byte) error {
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		return fmt.Errorf("public key: %w", err)
	}
	k, ok := pub.(*rsa.PublicKey)
	if !ok {
		return fmt.Errorf("%s needs an RSA key, the certificate has %T", a.name, pub)
	}
	h := a.hash.New()
	h.Write(signed)
	return rsa.VerifyPKCS1v15(k, a.hash, h.Sum(nil), signature)
}

type ecdsaASN1 struct {
	name string
	hash crypto.Hash
}

func (a ecdsaASN1) Name() string { return a.name }

func (a ecdsaASN1) Verify(spki, signed, signature []byte) error {
	pub, err := x509.ParsePKIXPublicKey(spki)
	if err != nil {
		return fmt.Errorf("public key: %w", err)
	}
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return fmt.Errorf("%s needs an ECDSA key, the certificate has %T", a.name, pub)
	}
	h := a.hash.New()
	h.Write(signed)
	if !ecdsa.VerifyASN1(k, h.Sum(nil), signature) {
		return errors.New("ECDSA verification failed")
	}
	return nil
}
