package apptest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/quota"
)

// Region is the region the permit helpers use (Bishkek).
const Region = "KG-GB"

// ApprovedQuota gives a cabinet a decided quota application of this year
// in Region approving n workers of a country in an occupation, with room
// left in the ledger; it returns the approved row's id.
func (e *Env) ApprovedQuota(cabinetID int64, country, occupation string, n int) int64 {
	e.T.Helper()
	ctx, by := e.T.Context(), audit.Event{Actor: "system"}
	year := quota.ThisYear(e.App.Kit.Now())
	if err := e.App.Quotas.SetQuota(ctx, year, Region, occupation[:1], 100000, by); err != nil {
		e.T.Fatal(err)
	}
	id, err := e.App.Quotas.Apply(ctx, cabinetID, year, Region, []quota.Row{{Country: country, Occupation: occupation, Requested: n}}, by)
	if err != nil {
		e.T.Fatal(err)
	}
	if err := e.App.Quotas.Submit(ctx, cabinetID, id, by); err != nil {
		e.T.Fatal(err)
	}
	a, err := e.App.Quotas.ByCase(ctx, e.DB, id)
	if err != nil {
		e.T.Fatal(err)
	}
	err = e.App.Quotas.Decide(ctx, id, 0, []quota.Decision{{RowID: a.Rows[0].ID, Approved: n}},
		quota.Protocol{Number: "1/T", Date: e.App.Kit.Now()}, by)
	if err != nil {
		e.T.Fatal(err)
	}
	return a.Rows[0].ID
}

// PermitDraft starts an employer's permit application for a person of
// the demo registry, fills in the form on row and attaches a contract;
// it returns the case id.
func (e *Env) PermitDraft(cabinetID int64, country, number string, row int64) int64 {
	e.T.Helper()
	ctx, by := e.T.Context(), audit.Event{Actor: "system"}
	cab, err := account.ByID(ctx, e.DB, cabinetID)
	if err != nil {
		e.T.Fatal(err)
	}
	id, err := e.App.Permits.Start(ctx, cab, country, number, permit.Work{}, nil, by)
	if err != nil {
		e.T.Fatalf("permit start %s %s: %v", country, number, err)
	}
	from := permit.Today(e.App.Kit.Now())
	to := mustDate(from).AddDate(0, 6, 0).Format(time.DateOnly)
	err = e.App.Permits.Save(ctx, cabinetID, id, permit.Details{QuotaRowID: row, Workplace: "Bishkek, Chui Ave 1", Salary: 45000, PeriodFrom: from, PeriodTo: to}, by)
	if err != nil {
		e.T.Fatal(err)
	}
	if _, err := e.App.Documents.AddToCase(ctx, cabinetID, id, "contract.pdf", "application/pdf", bytes.NewReader(PDF), by); err != nil {
		e.T.Fatal(err)
	}
	return id
}

// SubmittedPermit is a PermitDraft sent to the ministry.
func (e *Env) SubmittedPermit(cabinetID int64, country, number string, row int64) int64 {
	e.T.Helper()
	id := e.PermitDraft(cabinetID, country, number, row)
	if err := e.App.Permits.Submit(e.T.Context(), cabinetID, id, audit.Event{Actor: "system"}); err != nil {
		e.T.Fatal(err)
	}
	return id
}

func mustDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// NewCabinet creates a cabinet of the kind in the status, with a document;
// a person's passport is UZ AA0000007, eligible in the demo registry.
func (e *Env) NewCabinet(kind account.Kind, email string, status account.Status) int64 {
	e.T.Helper()
	ctx := e.T.Context()
	draft := fmt.Sprintf("%032x", sha256.Sum256([]byte(email)))[:32]
	dk := document.RegistrationCertificate
	if kind != account.Employer {
		dk = document.Photo
	}
	if _, err := e.App.Documents.SaveDraft(ctx, draft, dk, "doc.pdf", "application/pdf", bytes.NewReader(PDF)); err != nil {
		e.T.Fatal(err)
	}
	reg := account.Registration{Kind: kind, Email: email, Password: Password, Phone: "+996555000000", Lang: "en", Draft: draft,
		Employer: account.EmployerProfile{OrgName: "Org " + email, LegalForm: "llc", INN: "01234567890123", RegisteredAddress: "a", ActualAddress: "b", HeadName: "c"},
		Person: account.PersonProfile{Surname: "S", GivenName: "G", BirthDate: "1990-01-01", Citizenship: "UZ", PassportNo: "AA0000007",
			PassportIssued: "2020-01-01", PassportExpires: "2035-01-01", Address: "Bishkek", Activity: "trade", FieldOfWork: "IT", ClientsAbroad: "X"}}
	if _, err := e.App.Accounts.ImportDemo(ctx, reg, status); err != nil {
		e.T.Fatal(err)
	}
	return e.CabinetID(email)
}

// NewCitizen creates an active cabinet of a Kazakhstan citizen, the demo
// registry's person with iin, logging in with email and Password.
func (e *Env) NewCitizen(iin, email string) int64 {
	e.T.Helper()
	ctx := e.T.Context()
	err := e.App.Accounts.RegisterCitizen(ctx, account.CitizenRegistration{IIN: iin, Email: email, Phone: "+77010000000",
		Password: Password, PasswordConfirm: Password, Consent: true, Lang: "en"}, audit.Event{Actor: "system"})
	if err != nil {
		e.T.Fatal(err)
	}
	if _, err := e.DB.Exec(ctx, `UPDATE cabinets SET status = 'active' WHERE email = $1`, email); err != nil {
		e.T.Fatal(err)
	}
	return e.CabinetID(email)
}
