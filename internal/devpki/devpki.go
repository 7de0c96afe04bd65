// Package devpki is a demonstration certification authority shaped like
// NCA RK's (НУЦ РК): a root, an intermediate and, for each person, an AUTH
// and a SIGN end-entity certificate with NCA's subject fields, key usages
// and role OIDs. It serves `emgek serve --dev` and tests, so that the real
// login and signing code runs without NCA keys.
//
// Its certificates prove nothing: the CA is made locally and its keys lie
// next to it on disk. It must never be trusted outside development mode.
package devpki

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"os"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/emgek/emgek/internal/eds"
)

// Person is who gets a pair of demo certificates.
type Person struct {
	// Name is a stable key ("citizen", "head", "signer"): lower-case
	// letters, digits, "-" and "_". It names the files on disk.
	Name string
	IIN  string // 12 digits
	BIN  string // 12 digits, or "" for an individual's certificate
	// Surname and GivenName (first name) make the CN; NCA puts the
	// patronymic in GIVENNAME (2.5.4.42).
	Surname, GivenName, Patronymic string
	OrgName                        string // O, for a legal entity's certificate
	// Roles become NCA role OIDs in the extended key usage. Empty means
	// eds.Individual without a BIN and eds.Organisation with one.
	Roles []eds.Role
}

// KeyPair is a certificate and its private key.
type KeyPair struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Identity is a person with their AUTH (login) and SIGN (signing) keys.
type Identity struct {
	Person
	Auth, Sign KeyPair
}

// PKI is the demo CA and the identities it certified.
type PKI struct {
	Root, Intermediate *x509.Certificate
	Identities         []*Identity // in the order the people were given

	interKey crypto.Signer
}

// Validity of what Load issues.
const (
	caYears  = 10
	eeYears  = 2
	backdate = time.Hour
)

// Load creates the CA and one AUTH and one SIGN certificate per person in
// dir on first use and reuses the files afterwards (PEM; keys PKCS#8 in
// files of mode 0600; dir 0700). When a stored certificate no longer fits
// its person (added, changed, expired), Load issues a new one with the same
// CA; the CA itself is made again only when it is missing or not valid at
// now. Certificates are valid from now-1h for two years, the CA for ten.
func Load(dir string, people []Person, now time.Time) (*PKI, error) {
	if err := validate(people); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("devpki: %w", err)
	}
	st := store{dir: dir}
	root, inter, err := loadCA(st, now)
	if err != nil {
		return nil, err
	}
	p := &PKI{Root: root.Cert, Intermediate: inter.Cert, interKey: inter.Key}
	for _, person := range people {
		id := &Identity{Person: person}
		for _, u := range []usage{authUsage, signUsage} {
			kp, err := loadEE(st, person, u, inter, now)
			if err != nil {
				return nil, err
			}
			if u == authUsage {
				id.Auth = kp
			} else {
				id.Sign = kp
			}
		}
		p.Identities = append(p.Identities, id)
	}
	return p, nil
}

// Roots is a pool holding the demo root.
func (p *PKI) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Root)
	return pool
}

// Intermediates is a pool holding the demo intermediate CA.
func (p *PKI) Intermediates() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.Intermediate)
	return pool
}

// CRL is a revocation list of the intermediate CA, issued at now and due
// for renewal a day later, listing the certificates given as revoked an
// hour before now.
func (p *PKI) CRL(now time.Time, revoked ...*x509.Certificate) (*x509.RevocationList, error) {
	tmpl := &x509.RevocationList{Number: big.NewInt(now.Unix()), ThisUpdate: now, NextUpdate: now.Add(24 * time.Hour)}
	for _, c := range revoked {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries,
			x509.RevocationListEntry{SerialNumber: c.SerialNumber, RevocationTime: now.Add(-time.Hour)})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, p.Intermediate, p.interKey)
	if err != nil {
		return nil, fmt.Errorf("devpki: CRL: %w", err)
	}
	return x509.ParseRevocationList(der)
}

// OCSPResponse is the intermediate CA's signed OCSP answer about cert at
// now: good, or revoked an hour before now.
func (p *PKI) OCSPResponse(cert *x509.Certificate, revoked bool, now time.Time) ([]byte, error) {
	tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: cert.SerialNumber, ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour)}
	if revoked {
		tmpl.Status, tmpl.RevokedAt = ocsp.Revoked, now.Add(-time.Hour)
	}
	return ocsp.CreateResponse(p.Intermediate, p.Intermediate, tmpl, p.interKey)
}

// Identity is the identity with the given name, or nil.
func (p *PKI) Identity(name string) *Identity {
	for _, id := range p.Identities {
		if id.Name == name {
			return id
		}
	}
	return nil
}

// loadCA reads the root and the intermediate, or makes both when either is
// missing or unusable at now.
func loadCA(st store, now time.Time) (root, inter KeyPair, err error) {
	root, rootFound, err := st.loadPair(rootFile)
	if err != nil {
		return root, inter, err
	}
	inter, interFound, err := st.loadPair(interFile)
	if err != nil {
		return root, inter, err
	}
	if rootFound && interFound && validAt(root.Cert, now) && validAt(inter.Cert, now) &&
		root.Cert.CheckSignatureFrom(root.Cert) == nil && inter.Cert.CheckSignatureFrom(root.Cert) == nil {
		return root, inter, nil
	}
	if root, err = issueCA(rootCA, KeyPair{}, now); err != nil {
		return root, inter, err
	}
	if inter, err = issueCA(intermediateCA, root, now); err != nil {
		return root, inter, err
	}
	if err := st.savePair(rootFile, root); err != nil {
		return root, inter, err
	}
	return root, inter, st.savePair(interFile, inter)
}

// loadEE reads a person's certificate for one usage and issues it again
// unless it still fits the person, the CA and now.
func loadEE(st store, p Person, u usage, ca KeyPair, now time.Time) (KeyPair, error) {
	tmpl, err := profile(p, u)
	if err != nil {
		return KeyPair{}, err
	}
	file := "person-" + p.Name + "-" + u.name
	kp, found, err := st.loadPair(file)
	if err != nil {
		return KeyPair{}, err
	}
	if found && fits(kp.Cert, tmpl, ca.Cert, now) {
		return kp, nil
	}
	if kp, err = issueEE(tmpl, ca, now); err != nil {
		return KeyPair{}, err
	}
	return kp, st.savePair(file, kp)
}

func validAt(c *x509.Certificate, now time.Time) bool {
	return !now.Before(c.NotBefore) && !now.After(c.NotAfter)
}

// validate refuses people that would make bad certificates or clashing
// file names.
func validate(people []Person) error {
	seen := map[string]bool{}
	for i, p := range people {
		switch {
		case !validName(p.Name):
			return fmt.Errorf("devpki: person %d: name %q: use lower-case letters, digits, - and _", i, p.Name)
		case seen[p.Name]:
			return fmt.Errorf("devpki: person %q given twice", p.Name)
		case !digits(p.IIN, 12):
			return fmt.Errorf("devpki: person %q: IIN %q is not 12 digits", p.Name, p.IIN)
		case p.BIN != "" && !digits(p.BIN, 12):
			return fmt.Errorf("devpki: person %q: BIN %q is not 12 digits", p.Name, p.BIN)
		case p.Surname == "":
			return fmt.Errorf("devpki: person %q: no surname", p.Name)
		}
		for _, r := range p.Roles {
			if _, ok := r.OID(); !ok {
				return fmt.Errorf("devpki: person %q: unknown role %q", p.Name, r)
			}
		}
		seen[p.Name] = true
	}
	return nil
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

func digits(s string, n int) bool {
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

var errKeyMismatch = errors.New("the private key does not belong to the certificate")
