// Package permit is the work permit for a foreign citizen (SERVICES.md
// S4): an employer applies for a foreign worker, a foreign individual
// entrepreneur (FIE) for itself. Before any form, the holder is looked up
// in the foreign-persons registry and checked — entry ban, passport
// validity, a permit already held or being decided, quota left — and every
// refusal says why and what to do next. Nothing a registry knows is asked
// of the applicant.
//
// An application is a case (package casework):
//
//	draft ──> submitted ──> documents_requested ──> submitted
//	             ├──> rejected (reason code and legal basis)
//	             └──> approved ──> issued ──> expired
//	                     ├───────────┴──────> revoked
//	                     └──────────────────> expired (never issued, its period over)
//
// Approval takes one unit of quota in its transaction: from the
// employer's approved row (package quota) or, for an entrepreneur, from
// the ledger cell of its region and activity; and it marks the holder as
// holding a permit, which a unique index allows once per person. An
// extension is its own small case on an issued permit, asked for 60 to 30
// days before the permit ends; granting it moves the end date.
package permit

import (
	"strings"
	"time"

	"github.com/emgek/emgek/internal/casework"
)

// The statuses a permit case reaches after the shared ones.
const (
	Approved casework.Status = "approved"
	Rejected casework.Status = "rejected"
	Issued   casework.Status = "issued"
	Expired  casework.Status = "expired"
	Revoked  casework.Status = "revoked"
)

// Lifecycle is the permit's: numbers P-2026-000123, decided within 15
// working days.
var Lifecycle = &casework.Lifecycle{Service: "permit", Prefix: "P", Jurisdiction: "KG", TermDays: 15, Confirm: true,
	Outcomes: []casework.Status{Approved, Rejected},
	Moves: map[casework.Status][]casework.Status{
		Approved: {Issued, Revoked, Expired}, // expired: its period ended before it was issued
		Issued:   {Expired, Revoked},
	}}

// ExtensionLifecycle is an extension request's: PX-2026-000012, decided
// within 10 working days.
var ExtensionLifecycle = &casework.Lifecycle{Service: "permit_extension", Prefix: "PX", Jurisdiction: "KG", TermDays: 10,
	Outcomes: []casework.Status{Approved, Rejected}}

// Terms of a permit.
const (
	MinMonths = 3  // the shortest permit
	MaxMonths = 12 // the longest, and the longest an extension adds
	// The extension window: from 60 to 30 days before the permit ends.
	WindowOpensDays  = 60
	WindowClosesDays = 30
	// The second reminder goes this many days before the window closes.
	ReminderDays = 7
)

// Applicant is who applies.
type Applicant string

// The applicants.
const (
	ByEmployer Applicant = "employer" // for a foreign worker
	ByFIE      Applicant = "fie"      // a foreign entrepreneur for itself
)

// Holder is the foreign citizen the permit is for, as the registry knows
// them.
type Holder struct {
	Country         string // of the travel document
	Number          string // of the travel document
	Surname         string
	GivenName       string
	Patronymic      string
	Sex             string
	BirthDate       string
	Citizenship     string
	PassportExpires string
	Demo            bool // from the demo registry
}

// Name is the full name as in the passport.
func (h Holder) Name() string {
	return strings.TrimSpace(h.Surname + " " + h.GivenName + " " + h.Patronymic)
}

// Initials are what a checker of a permit sees: "K. A." for Karimov Aziz.
func (h Holder) Initials() string {
	var parts []string
	for _, s := range []string{h.Surname, h.GivenName} {
		if r := []rune(strings.TrimSpace(s)); len(r) > 0 {
			parts = append(parts, string(r[0])+".")
		}
	}
	return strings.Join(parts, " ")
}

// Application is a permit application with its case, and the permit once
// issued.
type Application struct {
	Case       *casework.Case
	Applicant  Applicant
	Holder     Holder
	Year       int
	Region     string
	Occupation string // ISCO-08 unit group
	QuotaRowID int64  // the employer's allocation row; 0 for an FIE
	Workplace  string
	Salary     int // som a month
	PeriodFrom string
	PeriodTo   string

	RejectReason string
	RejectNote   string

	PermitNumber string
	ValidFrom    string
	ValidUntil   string
	IssuedAt     *time.Time
	RevokedAt    *time.Time
	RevokeReason string
	RevokeNote   string
}

// State is what a checker is told of the permit on day (YYYY-MM-DD):
// "valid", "expired", "revoked", or "" when no permit was issued.
func (a *Application) State(day string) string {
	switch {
	case a.PermitNumber == "":
		return ""
	case a.RevokedAt != nil || a.Case.Status == Revoked:
		return "revoked"
	case a.Case.Status == Expired || a.ValidUntil < day:
		return "expired"
	case a.ValidFrom > day:
		return "not_yet_valid"
	}
	return "valid"
}

// Printable reports whether the permit may be printed on day: issued and
// in force.
func (a *Application) Printable(day string) bool {
	return a.Case.Status == Issued && a.State(day) == "valid"
}

// Reason is why an applicant cannot apply (or something an operator
// should know): a translation code with its arguments.
type Reason struct {
	Code string
	Args map[string]any
}

// RefusalCodes are every reason a search or a check can give, each with
// a text and a next step in the catalogs (permit.refusal.<code>[.next]).
var RefusalCodes = []string{"cabinet_inactive", "entry_ban", "entry_ban_indefinite", "passport_expired", "passport_expiring",
	"permit_valid", "application_open", "no_quota", "no_cell_room", "self_not_in_registry", "not_in_registry", "revoked_before"}

// RejectReasons are the codes an operator rejects with; each has its
// legal basis in the catalogs (permit.reject.<code>.basis).
var RejectReasons = []string{"entry_ban", "passport_invalid", "no_quota", "holder_has_permit", "documents_incomplete", "false_information", "other"}

// RevokeReasons are the codes a permit is revoked with.
var RevokeReasons = []string{"employment_ended", "violation", "false_information", "entry_ban", "employer_request", "other"}

// Today is the date in Kyrgyzstan, YYYY-MM-DD.
func Today(now time.Time) string { return now.In(casework.Zone("KG")).Format(time.DateOnly) }

func addDays(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// addMonths moves a date by n months, to the month's last day when the
// day does not exist there (31 August + 3 months is 30 November).
func addMonths(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(t.Day(), last), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
}

// lasts reports whether a period from one day to another, both days
// included, is at least months long.
func lasts(from, to string, months int) bool { return addDays(to, 1) >= addMonths(from, months) }

// within reports whether a period from one day to another, both days
// included, is at most months long.
func within(from, to string, months int) bool { return addDays(to, 1) <= addMonths(from, months) }
