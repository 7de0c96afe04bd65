package app

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/devpki"
	"github.com/emgek/emgek/internal/eds"
	"github.com/emgek/emgek/internal/esign"
	"github.com/emgek/emgek/internal/ncalayer"
	"github.com/emgek/emgek/internal/registry"
	"github.com/emgek/emgek/internal/throttle"
)

// wireEDS sets up Kazakhstan's certificate login when the deployment
// serves Kazakhstan: the trusted roots, and in --dev the demo CA and the
// NCALayer stand-in.
func (a *App) wireEDS(ctx context.Context, now func() time.Time, thr *throttle.Throttle) error {
	cfg := a.Config
	a.Signatures = &esign.Service{DB: a.DB, Now: now, Throttle: thr}
	a.NCALayerURL = cfg.NCALayerURL
	if !cfg.Has("KZ") {
		return nil
	}
	if cfg.Dev {
		pki, err := a.loadDevPKI(ctx, now())
		if err != nil {
			return fmt.Errorf("dev PKI: %w", err)
		}
		a.DevPKI = pki
		if cfg.NCALayerStandIn != "off" {
			a.StandIn = ncalayer.New(pki, []string{"127.0.0.1:*", "localhost:*", hostOf(cfg.BaseURL) + ":*"})
			u, err := a.StandIn.Start(cfg.NCALayerStandIn)
			if err != nil {
				return fmt.Errorf("NCALayer stand-in on %s: %w", cfg.NCALayerStandIn, err)
			}
			a.NCALayerURL = u
		}
	}
	v, err := a.edsVerifier(ctx, a.DevPKI)
	if err != nil {
		return err
	}
	if v == nil {
		a.Log.Warn("Kazakhstan's login by EDS certificate is off: no trusted NCA root certificates are configured (EMGEK_EDS_ROOTS)")
		return nil
	}
	if len(cfg.EDSCRLs) == 0 && cfg.EDSOCSPURL == "" && !cfg.Dev {
		a.Log.Warn("no CRLs and no OCSP responder are configured for EDS (EMGEK_EDS_CRLS, EMGEK_EDS_OCSP_URL): revoked NCA certificates are not detected")
	}
	a.Signatures.Use(v)
	return nil
}

// kzRegistries are Kazakhstan's registries: the configured ones, else
// the demo ones (their data is marked as demo data).
func (a *App) kzRegistries() account.KZ {
	cfg := a.Config
	kz := account.KZ{Signatures: a.Signatures, Individuals: &registry.DemoIndividuals{Now: a.Signatures.Now},
		Organisations: registry.DemoOrganisations{}}
	if cfg.IndividualsRegistryURL != "" {
		kz.Individuals = &registry.IndividualsClient{BaseURL: cfg.IndividualsRegistryURL, Token: cfg.IndividualsRegistryToken}
	}
	if cfg.OrganisationsRegistryURL != "" {
		kz.Organisations = &registry.OrganisationsClient{BaseURL: cfg.OrganisationsRegistryURL, Token: cfg.OrganisationsRegistryToken}
	}
	return kz
}

// sweepEDS forgets old login challenges and refreshes the CRLs.
func (a *App) sweepEDS(ctx context.Context) error {
	if _, err := a.DB.Exec(ctx, `DELETE FROM eds_challenges WHERE expires_at < $1`, a.Signatures.Now().UTC().Add(-24*time.Hour)); err != nil {
		return err
	}
	return a.refreshCRLs(ctx)
}

// edsVerifier reads the trusted roots, intermediates and CRLs the
// configuration names. With no roots it returns nil: certificate login is
// off. In --dev the demo CA is added — never without --dev.
func (a *App) edsVerifier(ctx context.Context, pki *devpki.PKI) (*eds.Verifier, error) {
	cfg := a.Config
	roots, inters := x509.NewCertPool(), x509.NewCertPool()
	n := 0
	for _, f := range cfg.EDSRoots {
		certs, err := readCerts(f)
		if err != nil {
			return nil, fmt.Errorf("EMGEK_EDS_ROOTS: %w", err)
		}
		for _, c := range certs {
			roots.AddCert(c)
			n++
		}
	}
	for _, f := range cfg.EDSIntermediates {
		certs, err := readCerts(f)
		if err != nil {
			return nil, fmt.Errorf("EMGEK_EDS_INTERMEDIATES: %w", err)
		}
		for _, c := range certs {
			inters.AddCert(c)
		}
	}
	if pki != nil {
		roots.AddCert(pki.Root)
		inters.AddCert(pki.Intermediate)
		n++
	}
	if n == 0 {
		return nil, nil
	}
	v := &eds.Verifier{Roots: roots, Intermediates: inters}
	if cfg.EDSOCSPURL != "" {
		v.OCSP = eds.HTTPOCSP(nil, cfg.EDSOCSPURL)
	}
	for _, src := range cfg.EDSCRLs {
		b, err := fetch(ctx, src)
		if err != nil {
			return nil, fmt.Errorf("EMGEK_EDS_CRLS: %w", err)
		}
		if blk, _ := pem.Decode(b); blk != nil {
			b = blk.Bytes
		}
		crl, err := x509.ParseRevocationList(b)
		if err != nil {
			return nil, fmt.Errorf("EMGEK_EDS_CRLS: %s: %w", src, err)
		}
		v.CRLs = append(v.CRLs, crl)
	}
	return v, nil
}

// readCerts reads the PEM or DER certificates of a file.
func readCerts(path string) ([]*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(string(b), "-----BEGIN") {
		c, err := x509.ParseCertificate(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return []*x509.Certificate{c}, nil
	}
	var out []*x509.Certificate
	for blk, rest := pem.Decode(b); blk != nil; blk, rest = pem.Decode(rest) {
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no certificate", path)
	}
	return out, nil
}

// fetch reads a file, or an http(s) URL (NCA's CRL servers answer an
// empty User-Agent with a redirect, so one is sent).
func fetch(ctx context.Context, src string) ([]byte, error) {
	if !strings.HasPrefix(src, "http://") && !strings.HasPrefix(src, "https://") {
		return os.ReadFile(src)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "Emgek")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: %s", src, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 256<<20))
}

// refreshCRLs reloads the CRLs (hourly): a verifier with fresh lists
// replaces the old one; a failed download keeps the old lists.
func (a *App) refreshCRLs(ctx context.Context) error {
	if len(a.Config.EDSCRLs) == 0 {
		return nil
	}
	v, err := a.edsVerifier(ctx, a.DevPKI)
	if err != nil || v == nil {
		return err
	}
	a.Signatures.Use(v)
	return nil
}

// DevPeople are the demo certificates' holders, people of the demo
// registries: a citizen, the head of a demo organisation, and someone
// the head can let sign for it.
func DevPeople(ctx context.Context) ([]devpki.Person, error) {
	ex := map[string]string{}
	for _, e := range registry.DemoIndividualExamples() {
		ex[e.Category] = e.Number
	}
	bin := registry.DemoOrganisationBIN(5) // headed by the "head" example
	org, err := (registry.DemoOrganisations{}).Organisation(ctx, bin)
	if err != nil {
		return nil, err
	}
	var out []devpki.Person
	for _, p := range []struct {
		name, iin, bin string
		roles          []eds.Role
	}{
		{"citizen", ex["adult"], "", []eds.Role{eds.Individual}},
		{"head", ex["head"], bin, []eds.Role{eds.Organisation, eds.Head}},
		{"signer", ex["married"], bin, []eds.Role{eds.Organisation, eds.Signatory}},
	} {
		person, err := (&registry.DemoIndividuals{}).Individual(ctx, p.iin)
		if err != nil {
			return nil, err
		}
		dp := devpki.Person{Name: p.name, IIN: p.iin, BIN: p.bin, Surname: person.Surname, GivenName: person.GivenName,
			Patronymic: person.Patronymic, Roles: p.roles}
		if p.bin != "" {
			dp.OrgName = org.Name
		}
		out = append(out, dp)
	}
	return out, nil
}

// loadDevPKI makes (once) and loads the demo CA and certificates in the
// data folder.
func (a *App) loadDevPKI(ctx context.Context, now time.Time) (*devpki.PKI, error) {
	people, err := DevPeople(ctx)
	if err != nil {
		return nil, err
	}
	return devpki.Load(filepath.Join(a.Config.DataDir, "dev-pki"), people, now)
}
