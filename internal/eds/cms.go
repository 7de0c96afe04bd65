package eds

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"math/big"

	"github.com/smallstep/pkcs7"
)

// The CMS is parsed by github.com/smallstep/pkcs7 and by nothing of ours;
// every check on what it returns is in verify.go. Its own Verify is never
// called: it takes the signer's claimed signingTime as the time of the
// chain, accepts any key usage and cannot say which check failed.

var (
	oidData          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidContentType   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	oidMessageDigest = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	oidSigningTime   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
)

// message is what the verifier needs of a parsed SignedData.
type message struct {
	content  []byte // eContent; nil when detached
	certs    []*x509.Certificate
	signers  []signerInfo
	attached bool
}

type signerInfo struct {
	issuer      []byte // DER Name of IssuerAndSerialNumber
	serial      *big.Int
	digestOID   string
	sigOID      string
	signedAttrs []attribute // in the order received; nil when absent
	signature   []byte
}

// attribute is one signed attribute; Value holds the SET OF values as
// received, so re-encoding it reproduces the signed bytes.
type attribute struct {
	Type  asn1.ObjectIdentifier
	Value asn1.RawValue `asn1:"set"`
}

// decode accepts PEM ("-----BEGIN CMS-----" as NCALayer's basics module
// returns it, CRLF lines included, or "-----BEGIN PKCS7-----"), base64 DER
// (commonUtils) or DER.
//
// Binary input is recognised before any trimming and passed on untouched.
// Its last byte is the last byte of the signature, a random byte: about 1
// time in 43 it is 0x09–0x0D or 0x20 (rarer still, the tail of a UTF-8
// space such as C2 85), which bytes.TrimSpace would cut, leaving a
// SEQUENCE that claims more bytes than there are ("ber2der: BER tag length
// is more than available data"): a valid CMS refused at random. Only the
// text forms are trimmed; no PEM or base64 text starts with 0x30 (base64
// of DER starts with 'M').
func decode(in []byte) ([]byte, error) {
	if len(in) > 0 && in[0] == 0x30 { // SEQUENCE: DER or BER, as is
		return in, nil
	}
	in = bytes.TrimSpace(in)
	if len(in) == 0 {
		return nil, refuse(CodeMalformed, "empty input")
	}
	if bytes.HasPrefix(in, []byte("-----BEGIN")) {
		block, rest := pem.Decode(in)
		if block == nil {
			return nil, refuse(CodeMalformed, "broken PEM armour")
		}
		if block.Type != "CMS" && block.Type != "PKCS7" {
			return nil, refuse(CodeMalformed, "PEM block %q is not CMS or PKCS7", block.Type)
		}
		if len(bytes.TrimSpace(rest)) != 0 {
			return nil, refuse(CodeMalformed, "data after the PEM block")
		}
		return block.Bytes, nil
	}
	clean := bytes.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, in)
	der, err := base64.StdEncoding.DecodeString(string(clean))
	if err != nil {
		return nil, refuse(CodeMalformed, "neither PEM, base64 nor DER: %v", err)
	}
	return der, nil
}

// parse reads a ContentInfo holding SignedData.
func parse(der []byte) (*message, error) {
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, refuse(CodeMalformed, "not a CMS SignedData: %v", err)
	}
	m := &message{
		content:  p7.Content,
		certs:    p7.Certificates,
		attached: len(p7.Content) > 0,
	}
	for _, s := range p7.Signers {
		si := signerInfo{
			issuer:    s.IssuerAndSerialNumber.IssuerName.FullBytes,
			serial:    s.IssuerAndSerialNumber.SerialNumber,
			digestOID: s.DigestAlgorithm.Algorithm.String(),
			sigOID:    s.DigestEncryptionAlgorithm.Algorithm.String(),
			signature: s.EncryptedDigest,
		}
		for _, a := range s.AuthenticatedAttributes {
			si.signedAttrs = append(si.signedAttrs, attribute{Type: a.Type, Value: a.Value})
		}
		m.signers = append(m.signers, si)
	}
	return m, nil
}

// signedAttrsDER is the DER of the signed attributes re-tagged from [0]
// IMPLICIT to SET (0x31), in the order received (RFC 5652 §5.4): what the
// signature covers. Each attribute keeps its received value bytes.
func (s *signerInfo) signedAttrsDER() ([]byte, error) {
	var body []byte
	for _, a := range s.signedAttrs {
		b, err := asn1.Marshal(a)
		if err != nil {
			return nil, err
		}
		body = append(body, b...)
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: body})
}

// attr is the single value of a signed attribute that RFC 5652 allows only
// once with one value (contentType, messageDigest, signingTime); found is
// false when it is absent.
func (s *signerInfo) attr(oid asn1.ObjectIdentifier) (v asn1.RawValue, found bool, err error) {
	for _, a := range s.signedAttrs {
		if !a.Type.Equal(oid) {
			continue
		}
		if found {
			return v, true, refuse(CodeMalformed, "signed attribute %s appears twice", oid)
		}
		found = true
		rest, err := asn1.Unmarshal(a.Value.Bytes, &v)
		if err != nil {
			return v, true, refuse(CodeMalformed, "signed attribute %s: %v", oid, err)
		}
		if len(rest) != 0 {
			return v, true, refuse(CodeMalformed, "signed attribute %s has more than one value", oid)
		}
	}
	return v, found, nil
}
