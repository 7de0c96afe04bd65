package eds

import (
	"crypto/x509"
	"encoding/asn1"
	"slices"
	"strings"
	"time"
)

// Purpose is what a signature is accepted for.
type Purpose int

const (
	Auth Purpose = iota + 1 // login: the authentication key
	Sign                    // signing documents: the signing key
)

func (p Purpose) String() string {
	switch p {
	case Auth:
		return "authentication"
	case Sign:
		return "signing"
	}
	return "unknown purpose"
}

// Role is what an NCA certificate says its holder is, from its extended
// key usages.
type Role string

const (
	Individual      Role = "individual"       // 1.2.398.3.3.4.1.1 физическое лицо
	Organisation    Role = "organisation"     // 1.2.398.3.3.4.1.2 staff of a legal entity
	Head            Role = "head"             // 1.2.398.3.3.4.1.2.1 first head
	Signatory       Role = "signer"           // 1.2.398.3.3.4.1.2.2 right to sign (not "Signer": that is the type)
	FinancialSigner Role = "financial_signer" // 1.2.398.3.3.4.1.2.3 right to sign financial documents
	HR              Role = "hr"               // 1.2.398.3.3.4.1.2.4 HR
	Employee        Role = "employee"         // 1.2.398.3.3.4.1.2.5 employee
)

var roleOIDs = []struct {
	oid  asn1.ObjectIdentifier
	role Role
}{
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 1}, Individual},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2}, Organisation},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 1}, Head},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 2}, Signatory},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 3}, FinancialSigner},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 4}, HR},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 5}, Employee},
}

// OID is NCA's extended key usage OID of the role; false for an unknown
// role.
func (r Role) OID() (asn1.ObjectIdentifier, bool) {
	for _, ro := range roleOIDs {
		if ro.role == r {
			return ro.oid, true
		}
	}
	return nil, false
}

// Signer is who signed, as the verified certificate says.
type Signer struct {
	Certificate *x509.Certificate
	Chain       []*x509.Certificate // signer first, trusted root last
	// IIN from SERIALNUMBER "IIN…", BIN from OU "BIN…"; "" when absent.
	IIN, BIN string
	// CommonName is SURNAME + " " + given name; NCA puts the patronymic in
	// GIVENNAME (2.5.4.42), so GivenName is CommonName minus the surname.
	CommonName, Surname, GivenName, Patronymic, Organization string
	Roles                                                    []Role
	Serial                                                   string // hex, lower case
	Issuer                                                   string // issuer CN
	// SignedAt is the trusted time: the time of receipt (Verifier.Now). It
	// is never the signer's claimed signingTime attribute.
	SignedAt  time.Time
	Algorithm string // e.g. "RSA-SHA256", "ECDSA-SHA256"
}

// Has reports whether the certificate gives its holder the role.
func (s *Signer) Has(r Role) bool { return slices.Contains(s.Roles, r) }

var (
	oidCommonName   = asn1.ObjectIdentifier{2, 5, 4, 3}
	oidSurname      = asn1.ObjectIdentifier{2, 5, 4, 4}
	oidSerialNumber = asn1.ObjectIdentifier{2, 5, 4, 5}
	oidOrganization = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrgUnit      = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidGivenName    = asn1.ObjectIdentifier{2, 5, 4, 42}
)

// identify maps an NCA certificate subject and EKUs onto a Signer.
func identify(cert *x509.Certificate) *Signer {
	s := &Signer{
		Certificate: cert,
		Serial:      cert.SerialNumber.Text(16),
		Issuer:      cert.Issuer.CommonName,
	}
	for _, n := range cert.Subject.Names {
		v, _ := n.Value.(string)
		switch {
		case n.Type.Equal(oidCommonName):
			s.CommonName = v
		case n.Type.Equal(oidSurname):
			s.Surname = v
		case n.Type.Equal(oidGivenName):
			s.Patronymic = v
		case n.Type.Equal(oidOrganization):
			s.Organization = v
		case n.Type.Equal(oidSerialNumber):
			if id, ok := strings.CutPrefix(v, "IIN"); ok && isDigits(id, 12) {
				s.IIN = id
			}
		case n.Type.Equal(oidOrgUnit):
			if id, ok := strings.CutPrefix(v, "BIN"); ok && isDigits(id, 12) {
				s.BIN = id
			}
		}
	}
	if s.Surname != "" {
		if rest, ok := strings.CutPrefix(s.CommonName, s.Surname); ok {
			s.GivenName = strings.TrimSpace(rest)
		}
	}
	for _, r := range roleOIDs {
		if hasOID(cert.UnknownExtKeyUsage, r.oid) {
			s.Roles = append(s.Roles, r.role)
		}
	}
	return s
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func hasOID(list []asn1.ObjectIdentifier, oid asn1.ObjectIdentifier) bool {
	for _, o := range list {
		if o.Equal(oid) {
			return true
		}
	}
	return false
}
