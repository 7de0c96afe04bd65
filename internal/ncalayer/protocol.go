package ncalayer

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/smallstep/pkcs7"

	"github.com/emgek/emgek/internal/devpki"
)

// Modules and the reply NCALayer sends first on a new connection.
const (
	moduleBasics      = "kz.gov.pki.knca.basics"
	moduleCommonUtils = "kz.gov.pki.knca.commonUtils"
	version           = "1.4-emgek-dev"
)

var greeting = map[string]any{"result": map[string]string{"version": version}}

// success is the basics reply envelope that carries a body.
type success struct {
	Status bool `json:"status"`
	Body   any  `json:"body"`
}

// failure is the basics reply envelope of an error.
type failure struct {
	Status  bool   `json:"status"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Details string `json:"details"`
}

func invocationError(format string, args ...any) failure {
	return failure{Code: "INVOCATION_ERROR", Message: "An invoked method threw an exception.", Details: fmt.Sprintf(format, args...)}
}

func signingFailure(format string, args ...any) failure {
	return failure{Code: "SIGNING_FAILURE", Message: "Signing has failed.", Details: fmt.Sprintf(format, args...)}
}

func noCertificate(format string, args ...any) failure {
	return failure{Code: "GENERAL_ERROR", Message: "No suitable certificate is available.", Details: fmt.Sprintf(format, args...)}
}

func writeJSON(ctx context.Context, c *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, b)
}

// handle answers one request.
func (s *StandIn) handle(msg []byte) any {
	var req struct {
		Module string          `json:"module"`
		Method string          `json:"method"`
		Args   json.RawMessage `json:"args"`
	}
	if err := json.Unmarshal(msg, &req); err != nil {
		return invocationError("the request is not a JSON object: %v", err)
	}
	switch {
	case req.Module == moduleBasics && req.Method == "sign":
		return s.sign(req.Args)
	case req.Module == moduleCommonUtils && req.Method == "getActiveTokens":
		// No hardware token: the keys are "files" (PKCS12).
		return map[string]any{"code": "200", "responseObject": []string{}}
	}
	return invocationError("%s.%s is not available in the NCALayer stand-in", req.Module, req.Method)
}

// signArgs are the arguments of basics.sign that the stand-in reads.
type signArgs struct {
	Format        string          `json:"format"`
	Data          json.RawMessage `json:"data"`
	SigningParams struct {
		Decode      *bool `json:"decode"`
		Encapsulate *bool `json:"encapsulate"`
		Digested    *bool `json:"digested"`
	} `json:"signingParams"`
	SignerParams struct {
		ExtKeyUsageOids []string `json:"extKeyUsageOids"`
		IIN             string   `json:"iin"`
		BIN             string   `json:"bin"`
	} `json:"signerParams"`
}

// sign checks the arguments, plays the dialog and makes one PEM CMS per
// document.
func (s *StandIn) sign(raw json.RawMessage) any {
	var a signArgs
	if err := json.Unmarshal(raw, &a); err != nil {
		return invocationError("bad arguments: %v", err)
	}
	if a.Format != "cms" {
		return invocationError("format %q is not supported by the NCALayer stand-in, only \"cms\"", a.Format)
	}
	oids := a.SignerParams.ExtKeyUsageOids
	if len(oids) == 0 {
		return invocationError("signerParams.extKeyUsageOids is required")
	}
	if p := a.SigningParams.Digested; p != nil && *p {
		return invocationError("signingParams.digested is not supported by the NCALayer stand-in")
	}
	docs, err := documents(a.Data)
	if err != nil {
		return invocationError("data: %v", err)
	}
	decode := a.SigningParams.Decode != nil && *a.SigningParams.Decode
	attached := a.SigningParams.Encapsulate == nil || *a.SigningParams.Encapsulate

	action, id := s.dialog()
	switch action {
	case Cancel:
		return success{Status: true, Body: struct{}{}}
	case Fail:
		return signingFailure("the signing was set to fail")
	}
	kp, ok := pick(id, oids, a.SignerParams.IIN, a.SignerParams.BIN)
	if !ok {
		return noCertificate("no key of the selected identity has extended key usages %v and the IIN/BIN asked for", oids)
	}
	result := make([]string, 0, len(docs))
	for i, doc := range docs {
		content := []byte(doc)
		if decode {
			if content, err = base64.StdEncoding.DecodeString(doc); err != nil {
				return signingFailure("document %d is not valid base64: %v", i, err)
			}
		}
		der, err := makeCMS(kp, content, attached)
		if err != nil {
			return signingFailure("document %d: %v", i, err)
		}
		result = append(result, armour(der))
	}
	return success{Status: true, Body: map[string][]string{"result": result}}
}

// documents reads data: one string or an array of strings.
func documents(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil && string(raw) != "null" {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil || len(many) == 0 {
		return nil, fmt.Errorf("a string or a non-empty array of strings is required")
	}
	return many, nil
}

// pick finds the identity's key whose certificate has every OID asked for
// and matches the IIN and BIN filters; AUTH is tried before SIGN.
func pick(id *devpki.Identity, oids []string, iin, bin string) (devpki.KeyPair, bool) {
	if id == nil {
		return devpki.KeyPair{}, false
	}
	if iin = strings.TrimPrefix(iin, "IIN"); iin != "" && iin != id.IIN {
		return devpki.KeyPair{}, false
	}
	if bin = strings.TrimPrefix(bin, "BIN"); bin != "" && bin != id.BIN {
		return devpki.KeyPair{}, false
	}
	for _, kp := range []devpki.KeyPair{id.Auth, id.Sign} {
		have := ekuOIDs(kp.Cert)
		if !slices.ContainsFunc(oids, func(o string) bool { return !slices.Contains(have, o) }) {
			return kp, true
		}
	}
	return devpki.KeyPair{}, false
}

// knownEKU are the OIDs of the extended key usages x509 knows by name.
var knownEKU = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:             "2.5.29.37.0",
	x509.ExtKeyUsageServerAuth:      "1.3.6.1.5.5.7.3.1",
	x509.ExtKeyUsageClientAuth:      "1.3.6.1.5.5.7.3.2",
	x509.ExtKeyUsageCodeSigning:     "1.3.6.1.5.5.7.3.3",
	x509.ExtKeyUsageEmailProtection: "1.3.6.1.5.5.7.3.4",
	x509.ExtKeyUsageTimeStamping:    "1.3.6.1.5.5.7.3.8",
	x509.ExtKeyUsageOCSPSigning:     "1.3.6.1.5.5.7.3.9",
}

func ekuOIDs(c *x509.Certificate) []string {
	var oids []string
	for _, u := range c.ExtKeyUsage {
		if o, ok := knownEKU[u]; ok {
			oids = append(oids, o)
		}
	}
	for _, o := range c.UnknownExtKeyUsage {
		oids = append(oids, o.String())
	}
	return oids
}

// makeCMS signs content as NCALayer does: SHA-256, signed attributes
// (contentType, signingTime, messageDigest), the signer certificate only;
// the content inside when attached.
func makeCMS(kp devpki.KeyPair, content []byte, attached bool) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(kp.Cert, kp.Key, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, err
	}
	if !attached {
		sd.Detach()
	}
	return sd.Finish()
}

// armour writes DER as NCALayer does: PEM "CMS", 64-character base64
// lines, CRLF line ends and a trailing CRLF.
func armour(der []byte) string {
	b64 := base64.StdEncoding.EncodeToString(der)
	var b strings.Builder
	b.WriteString("-----BEGIN CMS-----\r\n")
	for len(b64) > 0 {
		n := min(64, len(b64))
		b.WriteString(b64[:n])
		b.WriteString("\r\n")
		b64 = b64[n:]
	}
	b.WriteString("-----END CMS-----\r\n")
	return b.String()
}

// SignCMS signs content with the key as the stand-in answers a sign
// request (attached, PEM "CMS"), for tests that skip the WebSocket.
func SignCMS(kp devpki.KeyPair, content []byte) (string, error) {
	der, err := makeCMS(kp, content, true)
	if err != nil {
		return "", err
	}
	return armour(der), nil
}
