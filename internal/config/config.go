// Package config holds Emgek's configuration: read from EMGEK_* environment
// variables, overridden by command-line flags, validated before the server
// starts, and printable with secrets redacted.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Config is the effective configuration of one emgek process.
type Config struct {
	Addr           string   // listen address
	DataDir        string   // SQLite file, files, keys
	DatabaseURL    string   // postgres://… or sqlite:path; empty means SQLite in DataDir
	SMTPURL        string   // smtp://user:pass@host:port?tls=starttls|tls|none
	MailFrom       string   // From: of every email
	BaseURL        string   // public URL used in emails and QR codes
	baseURLSet     bool     // BaseURL was configured, not derived from Addr
	BlobURL        string   // s3://… or a folder; empty means DataDir/files
	Jurisdictions  []string // KG, KZ
	DefaultLang    string   // ru, ky, kk, en
	Dev            bool     // demo stand-ins, /dev routes, demo data
	AuditKeyFile   string   // Ed25519 key signing the audit checkpoints
	SigningKeyFile string   // Ed25519 key signing printed documents' QR codes
	// TrustedProxies are the load balancers allowed to say, in
	// X-Forwarded-For, which address a request came from.
	TrustedProxies []netip.Prefix
	// The foreign-persons registry (docs/registries.md); without a URL
	// the demo registry answers, and every page marks its data as demo.
	PassportRegistryURL   string
	PassportRegistryToken string
	// Kazakhstan's registries of individuals (by IIN) and of legal
	// entities (by BIN); without URLs the demo registries answer.
	IndividualsRegistryURL     string
	IndividualsRegistryToken   string
	OrganisationsRegistryURL   string
	OrganisationsRegistryToken string
	// EDS (Kazakhstan): the NCA root and intermediate certificates trusted
	// for logins and signatures, and the CRLs checked (files, or http(s)
	// URLs fetched at start and every hour), comma-separated. Without
	// roots, certificate login is off.
	EDSRoots, EDSIntermediates, EDSCRLs []string
	// EDSOCSPURL turns OCSP on: each certificate is checked with the
	// responder it names, or this one when it names none.
	EDSOCSPURL string
	// NCALayerURL is where pages reach NCALayer on the user's machine.
	NCALayerURL string
	// NCALayerStandIn is where --dev runs its NCALayer stand-in with the
	// demo certificates; "off" runs none.
	NCALayerStandIn string
}

// Load reads the environment through getenv, then parses args with the
// flags the command accepts (fs may be nil for commands without flags).
func Load(fs *flag.FlagSet, args []string, getenv func(string) string) (*Config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	c := &Config{
		Addr:                  env("EMGEK_ADDR", "127.0.0.1:8080"),
		DataDir:               env("EMGEK_DATA", "data"),
		DatabaseURL:           getenv("EMGEK_DATABASE_URL"),
		SMTPURL:               getenv("EMGEK_SMTP_URL"),
		MailFrom:              env("EMGEK_MAIL_FROM", "Emgek <no-reply@emgek.localhost>"),
		BaseURL:               getenv("EMGEK_BASE_URL"),
		BlobURL:               getenv("EMGEK_BLOB_URL"),
		DefaultLang:           env("EMGEK_DEFAULT_LANG", "ru"),
		AuditKeyFile:          getenv("EMGEK_AUDIT_KEY_FILE"),
		SigningKeyFile:        getenv("EMGEK_SIGNING_KEY_FILE"),
		PassportRegistryURL:   getenv("EMGEK_PASSPORT_REGISTRY_URL"),
		PassportRegistryToken: getenv("EMGEK_PASSPORT_REGISTRY_TOKEN"),
		Dev:                   env("EMGEK_DEV", "") == "1" || env("EMGEK_DEV", "") == "true",

		IndividualsRegistryURL:     getenv("EMGEK_INDIVIDUALS_REGISTRY_URL"),
		IndividualsRegistryToken:   getenv("EMGEK_INDIVIDUALS_REGISTRY_TOKEN"),
		OrganisationsRegistryURL:   getenv("EMGEK_ORGANISATIONS_REGISTRY_URL"),
		OrganisationsRegistryToken: getenv("EMGEK_ORGANISATIONS_REGISTRY_TOKEN"),
		EDSRoots:                   list(getenv("EMGEK_EDS_ROOTS")),
		EDSIntermediates:           list(getenv("EMGEK_EDS_INTERMEDIATES")),
		EDSCRLs:                    list(getenv("EMGEK_EDS_CRLS")),
		EDSOCSPURL:                 getenv("EMGEK_EDS_OCSP_URL"),
		NCALayerURL:                env("EMGEK_NCALAYER_URL", "wss://127.0.0.1:13579"),
		NCALayerStandIn:            env("EMGEK_NCALAYER_STANDIN", "127.0.0.1:13580"),
	}
	juris := getenv("EMGEK_JURISDICTIONS")
	var proxyErr error
	for _, p := range list(getenv("EMGEK_TRUSTED_PROXIES")) {
		if !strings.Contains(p, "/") {
			if a, err := netip.ParseAddr(p); err == nil {
				p = netip.PrefixFrom(a, a.BitLen()).String()
			}
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			proxyErr = fmt.Errorf("EMGEK_TRUSTED_PROXIES: %q is not an address or a CIDR range", p)
			continue
		}
		c.TrustedProxies = append(c.TrustedProxies, prefix.Masked())
	}
	if fs != nil {
		fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (EMGEK_ADDR)")
		fs.StringVar(&c.DataDir, "data", c.DataDir, "data folder (EMGEK_DATA)")
		fs.BoolVar(&c.Dev, "dev", c.Dev, "development mode: demo users and data, mail kept in /dev/mail (EMGEK_DEV)")
		fs.StringVar(&juris, "jurisdictions", juris, "KG, KZ or KG,KZ (EMGEK_JURISDICTIONS; default KG, KG,KZ with --dev)")
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
	}
	if juris == "" {
		juris = "KG"
		if c.Dev { // the demo shows both countries' services
			juris = "KG,KZ"
		}
	}
	for _, j := range list(juris) {
		c.Jurisdictions = append(c.Jurisdictions, strings.ToUpper(j))
	}
	if proxyErr != nil {
		return nil, proxyErr
	}
	if c.AuditKeyFile == "" {
		c.AuditKeyFile = filepath.Join(c.DataDir, "keys", "audit.ed25519.pem")
	}
	if c.SigningKeyFile == "" {
		c.SigningKeyFile = filepath.Join(c.DataDir, "keys", "documents.ed25519.pem")
	}
	c.baseURLSet = c.BaseURL != ""
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c, c.check()
}

// check rejects values that are wrong in any mode.
func (c *Config) check() error {
	var errs []error
	for _, j := range c.Jurisdictions {
		if j != "KG" && j != "KZ" {
			errs = append(errs, fmt.Errorf("EMGEK_JURISDICTIONS: %q is not KG or KZ", j))
		}
	}
	if len(c.Jurisdictions) == 0 {
		errs = append(errs, errors.New("EMGEK_JURISDICTIONS: name KG, KZ or both"))
	}
	if !slices.Contains([]string{"ru", "ky", "kk", "en"}, c.DefaultLang) {
		errs = append(errs, fmt.Errorf("EMGEK_DEFAULT_LANG: %q is not one of ru, ky, kk, en", c.DefaultLang))
	}
	if u, err := url.Parse(c.BaseURL); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		errs = append(errs, fmt.Errorf("EMGEK_BASE_URL: %q is not an http(s) URL", c.BaseURL))
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
			errs = append(errs, fmt.Errorf("EMGEK_SMTP_URL: want smtp://[user:password@]host:port[?tls=starttls|tls|none]"))
		}
	}
	return errors.Join(errs...)
}

// ValidateProduction says what a server without --dev lacks. Later services
// add their own requirements here (registry URLs, trusted roots, keys).
func (c *Config) ValidateProduction() error {
	var errs []error
	if c.SMTPURL == "" {
		errs = append(errs, errors.New("EMGEK_SMTP_URL is not set: without --dev, emails (confirmation links, password resets) must go to a real SMTP server, e.g. EMGEK_SMTP_URL=smtp://user:password@mail.example.org:587"))
	}
	for _, k := range [][2]string{{"EMGEK_AUDIT_KEY_FILE", c.AuditKeyFile}, {"EMGEK_SIGNING_KEY_FILE", c.SigningKeyFile}} {
		if _, err := os.Stat(k[1]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s does not exist: create it once with `emgek keygen` (keep it outside the data folder and give every instance the same file)", k[0], k[1]))
		}
	}
	if !c.baseURLSet {
		errs = append(errs, errors.New("EMGEK_BASE_URL is not set: emailed links need the portal's public address, e.g. EMGEK_BASE_URL=https://ework.example.gov"))
	} else if u, err := url.Parse(c.BaseURL); err == nil && u.Scheme != "https" && !isLoopback(u.Hostname()) {
		errs = append(errs, fmt.Errorf("EMGEK_BASE_URL=%s is not https: cookies and emailed links must not travel in clear text", c.BaseURL))
	}
	return errors.Join(errs...)
}

// SQLitePath is the database file when the database is SQLite, else "".
func (c *Config) SQLitePath() string {
	switch {
	case c.DatabaseURL == "":
		return filepath.Join(c.DataDir, "emgek.db")
	case strings.HasPrefix(c.DatabaseURL, "sqlite:"):
		return strings.TrimPrefix(strings.TrimPrefix(c.DatabaseURL, "sqlite:"), "//")
	}
	return ""
}

// BlobDir is the folder for files when they are not in object storage.
func (c *Config) BlobDir() string {
	if c.BlobURL == "" {
		return filepath.Join(c.DataDir, "files")
	}
	return c.BlobURL
}

// list splits a comma-separated setting, dropping empty items.
func list(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// Has reports whether the deployment serves the jurisdiction.
func (c *Config) Has(jurisdiction string) bool { return slices.Contains(c.Jurisdictions, jurisdiction) }

// Dump prints the configuration one "NAME=value" per line with secrets redacted.
func (c *Config) Dump() string {
	rows := [][2]string{
		{"EMGEK_ADDR", c.Addr},
		{"EMGEK_DATA", c.DataDir},
		{"EMGEK_DATABASE_URL", redact(c.DatabaseURL, "sqlite:"+c.SQLitePath())},
		{"EMGEK_SMTP_URL", redact(c.SMTPURL, "(none: dev outbox)")},
		{"EMGEK_MAIL_FROM", c.MailFrom},
		{"EMGEK_BASE_URL", c.BaseURL},
		{"EMGEK_BLOB_URL", redact(c.BlobURL, c.BlobDir())},
		{"EMGEK_JURISDICTIONS", strings.Join(c.Jurisdictions, ",")},
		{"EMGEK_DEFAULT_LANG", c.DefaultLang},
		{"EMGEK_DEV", fmt.Sprint(c.Dev)},
		{"EMGEK_TRUSTED_PROXIES", fmt.Sprint(c.TrustedProxies)},
		{"EMGEK_AUDIT_KEY_FILE", c.AuditKeyFile},
		{"EMGEK_SIGNING_KEY_FILE", c.SigningKeyFile},
		{"EMGEK_PASSPORT_REGISTRY_URL", redact(c.PassportRegistryURL, "(none: demo registry)")},
		{"EMGEK_PASSPORT_REGISTRY_TOKEN", redact(c.PassportRegistryToken, "")},
		{"EMGEK_INDIVIDUALS_REGISTRY_URL", redact(c.IndividualsRegistryURL, "(none: demo registry)")},
		{"EMGEK_INDIVIDUALS_REGISTRY_TOKEN", redact(c.IndividualsRegistryToken, "")},
		{"EMGEK_ORGANISATIONS_REGISTRY_URL", redact(c.OrganisationsRegistryURL, "(none: demo registry)")},
		{"EMGEK_ORGANISATIONS_REGISTRY_TOKEN", redact(c.OrganisationsRegistryToken, "")},
		{"EMGEK_EDS_ROOTS", strings.Join(c.EDSRoots, ",")},
		{"EMGEK_EDS_INTERMEDIATES", strings.Join(c.EDSIntermediates, ",")},
		{"EMGEK_EDS_CRLS", strings.Join(c.EDSCRLs, ",")},
		{"EMGEK_EDS_OCSP_URL", c.EDSOCSPURL},
		{"EMGEK_NCALAYER_URL", c.NCALayerURL},
		{"EMGEK_NCALAYER_STANDIN", c.NCALayerStandIn + " (only with --dev)"},
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s=%s\n", r[0], r[1])
	}
	return b.String()
}

// redact hides the password of a URL and any secret-looking query value.
func redact(raw, def string) string {
	if raw == "" {
		return def
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return raw
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
	}
	q := u.Query()
	for k := range q {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "secret") || strings.Contains(lk, "password") || strings.Contains(lk, "key") {
			q.Set(k, "REDACTED")
		}
	}
	u.RawQuery = q.Encode()
	s := u.String()
	return strings.ReplaceAll(s, "REDACTED", "*****")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
