package devpki

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File names (without extension) of the CA; a person's are
// "person-<name>-auth" and "person-<name>-sign".
const (
	rootFile  = "root"
	interFile = "intermediate"
)

// store keeps each key pair in two PEM files: <name>.crt (CERTIFICATE) and
// <name>.key (PKCS#8 PRIVATE KEY), both of mode 0600.
type store struct{ dir string }

func (s store) path(name, ext string) string { return filepath.Join(s.dir, name+ext) }

// loadPair reads a key pair; found is false when either file is missing.
// A file that exists but cannot be used is an error: Load does not
// overwrite what it does not understand.
func (s store) loadPair(name string) (kp KeyPair, found bool, err error) {
	certPEM, err := os.ReadFile(s.path(name, ".crt"))
	if errors.Is(err, fs.ErrNotExist) {
		return kp, false, nil
	}
	if err != nil {
		return kp, false, fmt.Errorf("devpki: %w", err)
	}
	keyPEM, err := os.ReadFile(s.path(name, ".key"))
	if errors.Is(err, fs.ErrNotExist) {
		return kp, false, nil
	}
	if err != nil {
		return kp, false, fmt.Errorf("devpki: %w", err)
	}
	if kp.Cert, err = parseCert(certPEM); err != nil {
		return kp, false, fmt.Errorf("devpki: %s: %w", s.path(name, ".crt"), err)
	}
	if kp.Key, err = parseKey(keyPEM); err != nil {
		return kp, false, fmt.Errorf("devpki: %s: %w", s.path(name, ".key"), err)
	}
	pub, ok := kp.Key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(kp.Cert.PublicKey) {
		return kp, false, fmt.Errorf("devpki: %s: %w", s.path(name, ".key"), errKeyMismatch)
	}
	return kp, true, nil
}

// savePair writes the key, then the certificate, each atomically.
func (s store) savePair(name string, kp KeyPair) error {
	der, err := x509.MarshalPKCS8PrivateKey(kp.Key)
	if err != nil {
		return fmt.Errorf("devpki: %w", err)
	}
	if err := s.write(name+".key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
		return err
	}
	return s.write(name+".crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: kp.Cert.Raw}))
}

// write replaces a file through a temporary one, so a reader never sees
// half of it.
func (s store) write(name string, data []byte) error {
	f, err := os.CreateTemp(s.dir, "."+name+".*")
	if err != nil {
		return fmt.Errorf("devpki: %w", err)
	}
	tmp := f.Name()
	err = f.Chmod(0o600)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(s.dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("devpki: %w", err)
	}
	return nil
}

func parseCert(data []byte) (*x509.Certificate, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, errors.New("no PEM CERTIFICATE")
	}
	return x509.ParseCertificate(b.Bytes)
}

func parseKey(data []byte) (crypto.Signer, error) {
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "PRIVATE KEY" {
		return nil, errors.New("no PEM PRIVATE KEY")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("a %T cannot sign", k)
	}
	return s, nil
}
