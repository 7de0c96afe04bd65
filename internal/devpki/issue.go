package devpki

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"slices"
	"time"

	"github.com/emgek/emgek/internal/eds"
)

// usage is the profile of an NCA end-entity key.
type usage struct {
	name string
	ku   x509.KeyUsage
	eku  x509.ExtKeyUsage
}

var (
	// authUsage: the AUTH key, for login (EKU clientAuth).
	authUsage = usage{"auth", x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, x509.ExtKeyUsageClientAuth}
	// signUsage: the SIGN key, for signing documents (EKU emailProtection).
	signUsage = usage{"sign", x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment, x509.ExtKeyUsageEmailProtection}
)

// Subject attribute types of an NCA certificate.
var (
	oidCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSurname      = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidCountry      = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrgUnit      = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidGivenName    = asn1.ObjectIdentifier{2, 5, 4, 42}
)

// The demo CA's names say plainly that it is not NCA RK.
const (
	rootCA         = "EMGEK DEMO ROOT CA (NOT NCA RK)"
	intermediateCA = "EMGEK DEMO INTERMEDIATE CA (NOT NCA RK)"
)

// profile is the template of a person's certificate for one usage, without
// serial number and validity: CN = SURNAME + " " + given name, SURNAME,
// SERIALNUMBER "IIN…", C=KZ, GIVENNAME = patronymic, then O and OU "BIN…"
// for a legal entity, each attribute in its own RDN, in NCA's order.
func profile(p Person, u usage) (*x509.Certificate, error) {
	cn := p.Surname
	if p.GivenName != "" {
		cn += " " + p.GivenName
	}
	names := []pkix.AttributeTypeAndValue{
		{Type: oidCommonName, Value: cn},
		{Type: oidSurname, Value: p.Surname},
		{Type: oidSerialNumber, Value: "IIN" + p.IIN}, // PrintableString: only letters and digits
		{Type: oidCountry, Value: "KZ"},
	}
	if p.Patronymic != "" {
		names = append(names, pkix.AttributeTypeAndValue{Type: oidGivenName, Value: p.Patronymic})
	}
	if p.OrgName != "" {
		names = append(names, pkix.AttributeTypeAndValue{Type: oidOrganization, Value: p.OrgName})
	}
	if p.BIN != "" {
		names = append(names, pkix.AttributeTypeAndValue{Type: oidOrgUnit, Value: "BIN" + p.BIN})
	}
	subject, err := asn1.Marshal(pkix.Name{ExtraNames: names}.ToRDNSequence())
	if err != nil {
		return nil, fmt.Errorf("devpki: subject of %q: %w", p.Name, err)
	}
	roles := p.Roles
	if len(roles) == 0 {
		roles = []eds.Role{eds.Individual}
		if p.BIN != "" {
			roles = []eds.Role{eds.Organisation}
		}
	}
	var oids []asn1.ObjectIdentifier
	for _, r := range roles {
		if o, _ := r.OID(); !slices.ContainsFunc(oids, o.Equal) {
			oids = append(oids, o)
		}
	}
	return &x509.Certificate{
		RawSubject:         subject,
		KeyUsage:           u.ku,
		ExtKeyUsage:        []x509.ExtKeyUsage{u.eku},
		UnknownExtKeyUsage: oids,
	}, nil
}

// fits tells whether a stored certificate is still what profile would
// issue, by the current intermediate, valid at now.
func fits(c, tmpl, ca *x509.Certificate, now time.Time) bool {
	return bytes.Equal(c.RawSubject, tmpl.RawSubject) &&
		c.KeyUsage == tmpl.KeyUsage &&
		slices.Equal(c.ExtKeyUsage, tmpl.ExtKeyUsage) &&
		slices.EqualFunc(c.UnknownExtKeyUsage, tmpl.UnknownExtKeyUsage, asn1.ObjectIdentifier.Equal) &&
		bytes.Equal(c.RawIssuer, ca.RawSubject) &&
		c.CheckSignatureFrom(ca) == nil &&
		validAt(c, now)
}

// issueCA makes a self-signed root (parent without a certificate) or an
// intermediate under parent.
func issueCA(cn string, parent KeyPair, now time.Time) (KeyPair, error) {
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{Country: []string{"KZ"}, CommonName: cn},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.AddDate(caYears, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if parent.Cert != nil {
		tmpl.MaxPathLenZero = true
		tmpl.NotAfter = minTime(tmpl.NotAfter, parent.Cert.NotAfter)
	}
	return create(tmpl, parent)
}

// issueEE makes a person's certificate from its profile under the
// intermediate; it never outlives the intermediate.
func issueEE(tmpl *x509.Certificate, ca KeyPair, now time.Time) (KeyPair, error) {
	t := *tmpl
	t.NotBefore = now.Add(-backdate)
	t.NotAfter = minTime(now.AddDate(eeYears, 0, 0), ca.Cert.NotAfter)
	return create(&t, ca)
}

// create gives tmpl a fresh P-256 key, a random serial and a subject key
// identifier, and signs it with parent (itself when parent has no
// certificate), ECDSA-SHA256.
func create(tmpl *x509.Certificate, parent KeyPair) (KeyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return KeyPair{}, fmt.Errorf("devpki: key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return KeyPair{}, fmt.Errorf("devpki: serial: %w", err)
	}
	tmpl.SerialNumber = serial.Add(serial, big.NewInt(1))
	point, err := key.PublicKey.Bytes()
	if err != nil {
		return KeyPair{}, fmt.Errorf("devpki: key: %w", err)
	}
	ski := sha1.Sum(point) // RFC 5280 method 1, as NCA's certificates carry one
	tmpl.SubjectKeyId = ski[:]
	tmpl.SignatureAlgorithm = x509.ECDSAWithSHA256
	parentCert, parentKey := parent.Cert, parent.Key
	if parentCert == nil {
		parentCert, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), parentKey)
	if err != nil {
		return KeyPair{}, fmt.Errorf("devpki: certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return KeyPair{}, fmt.Errorf("devpki: certificate: %w", err)
	}
	return KeyPair{Cert: cert, Key: key}, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
