package app

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/registry"
	"github.com/emgek/emgek/internal/staff"
)

// Demo accounts, created by --dev and "emgek demo" when missing. Every
// name says DEMO, so demo data is never mistaken for a real person's.
var demoStaff = []struct {
	in staff.Input
	pw string
}{
	{staff.Input{Email: "admin@demo.emgek.kg", Name: "DEMO Admin", Role: staff.Admin, Unit: "DEMO"}, "demo-admin-password"},
	{staff.Input{Email: "operator@demo.emgek.kg", Name: "DEMO Operator", Role: staff.Operator, Unit: "DEMO"}, "demo-operator-password"},
}

const demoCabinetPassword = "demo-cabinet-password"

// demoPDF is a one-page PDF that says it is a demo document.
const demoPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n" +
	"4 0 obj<</Length 44>>stream\nBT /F1 24 Tf 72 760 Td (DEMO DOCUMENT) Tj ET\nendstream endobj\n" +
	"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

func (a *App) loadDemo(ctx context.Context, out io.Writer) error {
	for _, s := range demoStaff {
		if _, err := a.Staff.EnsureDemo(ctx, s.in, s.pw); err != nil {
			return fmt.Errorf("demo staff: %w", err)
		}
	}
	cabinets := []struct {
		reg    account.Registration
		status account.Status
		docs   []document.Kind
	}{
		{account.Registration{Kind: account.Employer, Email: "employer@demo.emgek.kg", Phone: "+996312000001", Lang: "ru",
			Employer: account.EmployerProfile{OrgName: "DEMO Ala-Too Build LLC", LegalForm: "llc", INN: "01234567890123",
				RegisteredAddress: "DEMO, Bishkek, Chui Ave 1", ActualAddress: "DEMO, Bishkek, Manas Ave 10", HeadName: "DEMO Asanov Bakyt"}},
			account.Active, []document.Kind{document.RegistrationCertificate}},
		{account.Registration{Kind: account.Employer, Email: "pending-employer@demo.emgek.kg", Phone: "+996312000002", Lang: "ky",
			Employer: account.EmployerProfile{OrgName: "DEMO Issyk-Kul Textile LLC", LegalForm: "llc", INN: "02345678901234",
				RegisteredAddress: "DEMO, Karakol, Lenin St 5", ActualAddress: "DEMO, Karakol, Lenin St 5", HeadName: "DEMO Toktogulova Aida"}},
			account.Pending, []document.Kind{document.RegistrationCertificate, document.Other}},
		{account.Registration{Kind: account.FIE, Email: "fie@demo.emgek.kg", Phone: "+996555000003", Lang: "en",
			Person: account.PersonProfile{Surname: "DEMO Karimov", GivenName: "Rustam", BirthDate: "1988-04-12", Citizenship: "UZ",
				PassportNo: "DEMO0000001", PassportIssued: "2020-01-15", PassportExpires: "2030-01-14",
				Address: "DEMO, Osh, Kurmanjan Datka St 20", Activity: "DEMO retail trade"}},
			account.Pending, []document.Kind{document.Photo, document.PassportPage}},
		// An active entrepreneur whose passport the demo registry knows,
		// so "Check availability" can be tried.
		{account.Registration{Kind: account.FIE, Email: "entrepreneur@demo.emgek.kg", Phone: "+996555000004", Lang: "ru",
			Person: account.PersonProfile{Surname: "DEMO Nazarov", GivenName: "Farrukh", BirthDate: "1985-09-30", Citizenship: "TJ",
				PassportNo: "TJ0000006", PassportIssued: "2021-03-01", PassportExpires: "2031-02-28",
				Address: "DEMO, Bishkek, Kievskaya St 77", Activity: "DEMO shop assistant (5223)"}},
			account.Active, []document.Kind{document.Photo, document.PassportPage}},
	}
	for _, c := range cabinets {
		draft := fmt.Sprintf("demo%028x", len(c.reg.Email))
		for _, k := range c.docs {
			if _, err := a.Documents.SaveDraft(ctx, draft, k, string(k)+"-DEMO.pdf", "application/pdf", bytes.NewReader([]byte(demoPDF))); err != nil {
				return fmt.Errorf("demo documents: %w", err)
			}
		}
		c.reg.Password = demoCabinetPassword
		c.reg.Draft = draft
		if _, err := a.Accounts.ImportDemo(ctx, c.reg, c.status); err != nil {
			return fmt.Errorf("demo cabinet %s: %w", c.reg.Email, err)
		}
		if err := a.Documents.DiscardDraft(ctx, draft); err != nil { // left over when it existed already
			return err
		}
	}
	// A demo ledger for this year, so the quota service can be tried.
	year := quota.ThisYear(a.Quotas.Now())
	cells, err := a.Quotas.Cells(ctx, year)
	if err != nil {
		return err
	}
	if len(cells) == 0 {
		ledger := "KG-GB,2,300\nKG-GB,7,1200\nKG-GB,9,800\nKG-C,7,600\nKG-C,6,400\nKG-O,7,500\nKG-Y,5,250\n"
		if _, err := a.Quotas.ImportCSV(ctx, year, strings.NewReader(ledger), audit.Event{Actor: "system", Detail: "demo"}); err != nil {
			return fmt.Errorf("demo ledger: %w", err)
		}
	}
	if err := a.demoAllocation(ctx, year); err != nil {
		return err
	}
	fmt.Fprintf(out, "Demo data loaded. Back office: %s/office/login\n", a.Config.BaseURL)
	for _, s := range demoStaff {
		fmt.Fprintf(out, "  %-8s %s / %s\n", s.in.Role, s.in.Email, s.pw)
	}
	fmt.Fprintf(out, "Cabinets: %s/login — employer@demo.emgek.kg, entrepreneur@demo.emgek.kg / %s (active)\n", a.Config.BaseURL, demoCabinetPassword)
	if a.Config.PassportRegistryURL == "" {
		fmt.Fprintf(out, "Demo foreign-persons registry, passports to search for (country number):\n")
		for _, x := range registry.DemoExamples()[:6] {
			fmt.Fprintf(out, "  %-8s %s %s\n", x.Category, x.Country, x.Number)
		}
	}
	if a.Outbox != nil {
		fmt.Fprintf(out, "Emails are kept at %s/dev/mail\n", a.Config.BaseURL)
	}
	if a.StandIn != nil {
		fmt.Fprintf(out, "Kazakhstan's EDS: an NCALayer stand-in answers at %s with demo certificates (a demo CA only --dev trusts);\n", a.NCALayerURL)
		fmt.Fprintf(out, "  log in at %s/login/eds, choose whose certificate signs at %s/dev/ncalayer:\n", a.Config.BaseURL, a.Config.BaseURL)
		for _, id := range a.DevPKI.Identities {
			fmt.Fprintf(out, "  %-8s %s %s, IIN %s%s\n", id.Name, id.Surname, id.GivenName, id.IIN, orgOf(id.BIN, id.OrgName))
		}
	}
	return nil
}

func orgOf(bin, name string) string {
	if bin == "" {
		return ""
	}
	return fmt.Sprintf(", %s (BIN %s)", name, bin)
}

// demoAllocation gives the demo employer an approved quota for the year
// (workers from Uzbekistan and Tajikistan), so permits can be applied for
// at once; once only.
func (a *App) demoAllocation(ctx context.Context, year int) error {
	var id int64
	if err := a.DB.QueryRow(ctx, `SELECT id FROM cabinets WHERE email = 'employer@demo.emgek.kg'`).Scan(&id); err != nil {
		return fmt.Errorf("demo allocation: %w", err)
	}
	have, err := quota.Allocations(ctx, a.DB, id, year, "")
	if err != nil || len(have) > 0 {
		return err
	}
	by := audit.Event{Actor: "system", Detail: "demo"}
	rows := []quota.Row{{Country: "UZ", Occupation: "7112", Requested: 5}, {Country: "TJ", Occupation: "7112", Requested: 3},
		{Country: "UZ", Occupation: "7115", Requested: 2}}
	caseID, err := a.Quotas.Apply(ctx, id, year, "KG-GB", rows, by)
	if err != nil {
		return fmt.Errorf("demo allocation: %w", err)
	}
	if err := a.Quotas.Submit(ctx, id, caseID, by); err != nil {
		return err
	}
	app, err := a.Quotas.ByCase(ctx, a.DB, caseID)
	if err != nil {
		return err
	}
	var ds []quota.Decision
	for _, r := range app.Rows {
		ds = append(ds, quota.Decision{RowID: r.ID, Approved: r.Requested})
	}
	return a.Quotas.Decide(ctx, caseID, 0, ds, quota.Protocol{Number: "DEMO-1", Date: a.Quotas.Now()}, by)
}

// describe turns field errors into English lines for the command line.
func describe(a *App, err error) error {
	e, ok := apperr.As(err)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	l := a.Kit.Catalog.Localizer("en")
	var lines []string
	for _, n := range e.Fields.Names() {
		lines = append(lines, fmt.Sprintf("--%s: %s", n, l.T(e.Fields[n].Key, e.Fields[n].Args)))
	}
	sort.Strings(lines)
	return fmt.Errorf("%s", strings.Join(lines, "; "))
}
