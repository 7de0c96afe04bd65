package eds

import "fmt"

// Codes of a refused signature. They are stable: callers map them to
// messages and tests compare them.
const (
	CodeMalformed            = "malformed"             // not a CMS SignedData we can read
	CodeNoSigner             = "no_signer"             // no SignerInfo, or its certificate is not in the CMS
	CodeTooManySigners       = "too_many_signers"      // more than one SignerInfo
	CodeUnsupportedAlgorithm = "unsupported_algorithm" // digest or signature OID not in Digests/Algorithms
	CodeContentMismatch      = "content_mismatch"      // attached content differs from what we issued
	CodeDigestMismatch       = "digest_mismatch"       // messageDigest ≠ H(content)
	CodeBadSignature         = "bad_signature"         // the signature does not hold
	CodeExpired              = "expired"               // a certificate of the chain expired before the trusted time
	CodeNotYetValid          = "not_yet_valid"         // the signer certificate is not valid yet at the trusted time
	CodeUnknownRoot          = "unknown_root"          // no chain to a trusted root
	CodeBadChain             = "bad_chain"             // a chain exists but breaks a CA rule (basic constraints, name constraints, …)
	CodeWrongKeyUsage        = "wrong_key_usage"       // the key is not for this purpose
	CodeRevoked              = "revoked"               // a CRL or an OCSP answer says revoked
	CodeRevocationUnknown    = "revocation_unknown"    // the status could not be learnt from the sources we have
)

// Error is a refused signature with a specific reason. Code is one of the
// Code constants; Detail is for logs and operators (it never holds an IIN).
type Error struct{ Code, Detail string }

func (e *Error) Error() string {
	if e.Detail == "" {
		return "eds: " + e.Code
	}
	return "eds: " + e.Code + ": " + e.Detail
}

// Is makes errors.Is(err, &Error{Code: c}) match on the code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Detail == "" || t.Detail == e.Detail)
}

func refuse(code, format string, args ...any) *Error {
	return &Error{Code: code, Detail: fmt.Sprintf(format, args...)}
}
