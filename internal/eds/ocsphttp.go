package eds

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"time"

	"golang.org/x/crypto/ocsp"
)

// HTTPOCSP asks an OCSP responder over HTTP (RFC 6960, POST): the one the
// certificate names in its Authority Information Access, else fallback
// (NCA's is http://ocsp.pki.gov.kz). The answer is only fetched here;
// Verifier checks its signature, serial and freshness before trusting it.
func HTTPOCSP(client *http.Client, fallback string) func(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, error) {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return func(ctx context.Context, cert, issuer *x509.Certificate) ([]byte, error) {
		url := fallback
		if len(cert.OCSPServer) > 0 {
			url = cert.OCSPServer[0]
		}
		if url == "" {
			return nil, fmt.Errorf("no OCSP responder for the certificate")
		}
		req, err := ocsp.CreateRequest(cert, issuer, &ocsp.RequestOptions{Hash: crypto.SHA256})
		if err != nil {
			return nil, err
		}
		hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req))
		if err != nil {
			return nil, err
		}
		hr.Header.Set("Content-Type", "application/ocsp-request")
		hr.Header.Set("User-Agent", "Emgek") // NCA's servers redirect an empty one
		resp, err := client.Do(hr)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("OCSP responder: %s", resp.Status)
		}
		return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	}
}
