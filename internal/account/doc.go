// Package account holds the cabinets of applicants: employers, foreign
// individual entrepreneurs (FIE) and digital nomads (SERVICES.md S1).
//
// A cabinet is registered with its profile and documents, confirms its
// email by a single-use link (valid 24 hours), then waits for an operator
// of the ministry, who activates it or rejects it with a reason:
//
//	register ──> unconfirmed ──(email link)──> pending ──(operator)──> active
//	                                              └──────(operator)──> rejected
//
// Registering an email that is already registered looks the same to the
// person at the form (so a stranger learns nothing); the owner of the
// address is told by email instead. Every transition is one UPDATE …
// WHERE status = old: when two operators act at once, one wins and the
// other is told the cabinet was already decided; the email and the audit
// row are written in the same transaction, so exactly one email goes out.
package account

import (
	"time"
)

// Kind is the type of a cabinet.
type Kind string

// The cabinet kinds.
const (
	Employer Kind = "employer"
	FIE      Kind = "fie"
	Nomad    Kind = "nomad"
	// Citizen is a Kazakhstan citizen or resident, proven by an NCA
	// certificate and found by IIN (not offered on the registration page).
	Citizen Kind = "citizen"
)

// Kinds lists the kinds in the order the registration page offers them.
var Kinds = []Kind{Employer, FIE, Nomad}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == Employer || k == FIE || k == Nomad }

// Status is where a cabinet is in its life.
type Status string

// The statuses.
const (
	Unconfirmed Status = "unconfirmed"
	Pending     Status = "pending"
	Active      Status = "active"
	Rejected    Status = "rejected"
)

// Cabinet is an applicant's account with its profile.
type Cabinet struct {
	ID           int64
	Kind         Kind
	Status       Status
	Email        string
	Phone        string
	Lang         string
	RejectReason string
	CreatedAt    time.Time
	ConfirmedAt  *time.Time
	DecidedAt    *time.Time
	PasswordAt   time.Time // when the password last changed
	Version      int
	// IIN is a Kazakhstan citizen's (kind Citizen); BIN a Kazakhstan
	// organisation's (an employer that logs in by its people's EDS).
	IIN, BIN string

	Employer *EmployerProfile // for Employer
	Person   *PersonProfile   // for FIE and Nomad

	passwordHash string
}

// DisplayName is the organisation's or the person's name.
func (c *Cabinet) DisplayName() string {
	if c.Employer != nil {
		return c.Employer.OrgName
	}
	if c.Person != nil {
		return c.Person.Surname + " " + c.Person.GivenName
	}
	return c.Email
}

// EmployerProfile is an organisation's data.
type EmployerProfile struct {
	OrgName           string
	LegalForm         string
	INN               string
	RegisteredAddress string
	ActualAddress     string
	HeadName          string
}

// PersonProfile is a foreign person's data (FIE or digital nomad).
type PersonProfile struct {
	Surname         string
	GivenName       string
	Patronymic      string
	BirthDate       string // YYYY-MM-DD
	Citizenship     string // ISO 3166-1 alpha-2
	PassportNo      string
	PassportIssued  string // YYYY-MM-DD
	PassportExpires string // YYYY-MM-DD
	Address         string // in Kyrgyzstan
	Activity        string // FIE: kind of activity
	FieldOfWork     string // nomad
	ClientsAbroad   string // nomad: employer or clients abroad
}

// LegalForms are the organisational-legal forms offered to employers
// (Civil Code of the Kyrgyz Republic).
var LegalForms = []string{"llc", "jsc", "ie", "branch", "representative", "state", "ngo", "other"}
