package app

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/password"
	"github.com/emgek/emgek/internal/printout"
)

// seedApplications fills the database with n realistic applications of
// the quota and permit services, in every status, from n/100 demo
// cabinets (emgek demo --applications N), for load tests and for trying
// the back office at a country's scale. Rows go in with explicit ids, many
// to a statement and thousands to a transaction: a million in minutes.
// Every name says DEMO or SEED; the applicants' password is the demo one.
func (a *App) seedApplications(ctx context.Context, n int, out io.Writer) error {
	start := time.Now()
	d := a.DB
	hash, err := password.Hash(ctx, demoCabinetPassword)
	if err != nil {
		return err
	}
	var caseBase, cabBase int64
	if err := d.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM cases`).Scan(&caseBase); err != nil {
		return err
	}
	if err := d.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM cabinets`).Scan(&cabBase); err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(uint64(caseBase), uint64(n)))
	now := a.Quotas.Now().UTC()
	year := now.Year()
	cabinets := max(10, n/100)
	s := &seeder{d: d, r: r}

	// The cabinets: nine employers in ten, the rest foreign entrepreneurs.
	fie := func(i int) bool { return i%10 == 9 }
	for i := range cabinets {
		id := cabBase + int64(i) + 1
		kind := "employer"
		if fie(i) {
			kind = "fie"
		}
		s.add("cabinets", []string{"id", "kind", "status", "email", "password_hash", "phone", "lang", "created_at", "confirmed_at", "decided_at", "password_changed_at"},
			id, kind, "active", fmt.Sprintf("seed-%d@demo.emgek.kg", id), hash, "+996555000000", []string{"ru", "ky", "kk", "en"}[i%4],
			now, now, now, now)
		if kind == "employer" {
			s.add("employers", []string{"cabinet_id", "org_name", "legal_form", "inn", "registered_address", "actual_address", "head_name"},
				id, fmt.Sprintf("SEED Employer %d LLC", id), "llc", fmt.Sprintf("%014d", id), "SEED, Bishkek", "SEED, Bishkek", "SEED Head")
		} else {
			s.add("persons", []string{"cabinet_id", "surname", "given_name", "patronymic", "birth_date", "citizenship", "passport_no",
				"passport_issued", "passport_expires", "address", "activity"},
				id, "SEED", fmt.Sprintf("Entrepreneur %d", id), "", "1985-01-01", "UZ", fmt.Sprintf("SD%07d", id), "2020-01-01", "2030-01-01",
				"SEED, Osh", "trade")
		}
		if err := s.flushIfFull(ctx); err != nil {
			return err
		}
	}
	if err := s.flush(ctx); err != nil {
		return err
	}

	regions, occupations := []string{"KG-GB", "KG-C", "KG-O", "KG-Y", "KG-J"}, []string{"7112", "7115", "7126", "2512", "5221", "9313", "8332"}
	countries := []string{"UZ", "TJ", "CN", "TR", "KZ"}
	for i := range n {
		id := caseBase + int64(i) + 1
		ci := r.IntN(cabinets)
		cab := cabBase + int64(ci) + 1
		service := "quota"
		if fie(ci) || r.IntN(10) < 4 {
			service = "permit"
		}
		status := pick(r, service)
		created := now.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		var number, submitted, due, decided any
		if status != "draft" {
			sub := created.Add(time.Duration(r.Int64N(int64(min(48*time.Hour, now.Sub(created)) + 1))))
			submitted, due = sub, sub.Add(21*24*time.Hour)
			number = fmt.Sprintf("%s-%d-%07d", map[string]string{"quota": "Q", "permit": "P"}[service], sub.Year(), id)
			if status != "submitted" && status != "documents_requested" && status != "withdrawn" {
				decided = sub.Add(time.Duration(r.Int64N(int64(20 * 24 * time.Hour))))
			}
		}
		s.add("cases", []string{"id", "number", "service", "cabinet_id", "status", "created_at", "submitted_at", "due_at", "decided_at", "updated_at"},
			id, number, service, cab, status, created, submitted, due, decided, now)
		region, occ, country := regions[r.IntN(len(regions))], occupations[r.IntN(len(occupations))], countries[r.IntN(len(countries))]
		if service == "quota" {
			requested := 1 + r.IntN(20)
			var approved any
			if status == "decided" {
				approved = r.IntN(requested + 1)
			}
			s.add("quota_applications", []string{"case_id", "year", "region"}, id, year, region)
			s.add("quota_rows", []string{"case_id", "country", "occupation", "requested", "year", "region", "major_group", "approved"},
				id, country, occ, requested, year, region, occ[:1], approved)
		} else {
			applicant := "employer"
			if fie(ci) {
				applicant = "fie"
			}
			from := created.AddDate(0, 1, 0).Format(time.DateOnly)
			to := created.AddDate(0, 7, 0).Format(time.DateOnly)
			var permitNumber any
			validFrom, validUntil := "", ""
			if status == "issued" || status == "expired" || status == "revoked" {
				permitNumber, validFrom, validUntil = fmt.Sprintf("WP-%d-%07d", created.Year(), id), from, to
			}
			s.add("permits", []string{"case_id", "applicant", "doc_country", "doc_number", "surname", "given_name", "birth_date", "citizenship",
				"passport_expires", "demo", "year", "region", "occupation", "workplace", "salary", "period_from", "period_to",
				"permit_number", "valid_from", "valid_until", "holding"},
				id, applicant, country, fmt.Sprintf("SEED%08d", id), "SEED", fmt.Sprintf("Worker %d", id), "1990-01-01", country,
				"2034-01-01", true, year, region, occ, "SEED, Bishkek", 30000+r.IntN(70000), from, to,
				permitNumber, validFrom, validUntil, status == "issued" || status == "approved")
		}
		if err := s.flushIfFull(ctx); err != nil {
			return err
		}
		if (i+1)%100000 == 0 {
			fmt.Fprintf(out, "  %d applications (%s)\n", i+1, time.Since(start).Round(time.Second))
		}
	}
	if err := s.flush(ctx); err != nil {
		return err
	}
	if d.Dialect == db.Postgres { // explicit ids leave the identities behind
		for _, t := range []string{"cases", "cabinets"} {
			if _, err := d.Exec(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
				return err
			}
		}
		if _, err := d.Exec(ctx, `ANALYZE`); err != nil {
			return err
		}
	}
	if err := d.Transact(ctx, func(tx *db.DB) error {
		return audit.Record(ctx, tx, now, audit.Event{Actor: "system", Action: "cabinet.demo", Object: "seed", Detail: fmt.Sprintf("%d applications, %d cabinets", n, cabinets)})
	}); err != nil {
		return err
	}
	if err := a.seedPrintouts(ctx, caseBase, out); err != nil {
		return err
	}
	fmt.Fprintf(out, "Seeded %d applications from %d cabinets in %s (password %s, e-mails seed-<id>@demo.emgek.kg).\n",
		n, cabinets, time.Since(start).Round(time.Second), demoCabinetPassword)
	return nil
}

// seedPrintouts prints up to 20 of the seeded permits in force, as their
// holders would, and writes their verification addresses to
// seed-verify-urls.txt in the data folder, for load tests of the page a
// QR code opens.
func (a *App) seedPrintouts(ctx context.Context, after int64, out io.Writer) error {
	ids, err := a.DB.IDs(ctx, `SELECT case_id FROM permits WHERE case_id > $1 AND holding AND permit_number IS NOT NULL ORDER BY case_id LIMIT 20`, after)
	if err != nil {
		return err
	}
	l := a.Kit.Catalog.Localizer("en")
	var urls []string
	for _, id := range ids {
		p, err := a.Permits.ByCase(ctx, a.DB, id)
		if err != nil {
			return err
		}
		d, _, err := a.Issuer.Issue(ctx, "permit@"+p.ValidUntil, id, "en", func(w io.Writer, url string) error {
			return printout.WritePermit(w, printout.Permit{Number: p.PermitNumber, CaseNumber: p.Case.Number, Holder: p.Holder.Name(),
				BirthDate: p.Holder.BirthDate, Citizenship: p.Holder.Citizenship, Passport: p.Holder.Number, Employer: "SEED employer",
				Occupation: a.Occupations.Label(p.Occupation, "en"), Region: p.Region, Workplace: p.Workplace,
				ValidFrom: p.ValidFrom, ValidUntil: p.ValidUntil, VerifyURL: url, Demo: true}, l)
		})
		if err != nil {
			return err
		}
		urls = append(urls, a.Issuer.URL(a.Issuer.Signer.Token(d.ID)))
	}
	file := filepath.Join(a.Config.DataDir, "seed-verify-urls.txt")
	if err := os.WriteFile(file, []byte(strings.Join(urls, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "Printed %d permits; their verification addresses are in %s.\n", len(urls), file)
	return nil
}

// pick is a status with the shares a working year leaves behind.
func pick(r *rand.Rand, service string) string {
	x := r.IntN(100)
	if service == "quota" {
		switch {
		case x < 8:
			return "draft"
		case x < 38:
			return "submitted"
		case x < 43:
			return "documents_requested"
		case x < 95:
			return "decided"
		}
		return "withdrawn"
	}
	for _, s := range []struct {
		upTo   int
		status string
	}{{5, "draft"}, {35, "submitted"}, {40, "documents_requested"}, {45, "approved"}, {75, "issued"}, {85, "rejected"}, {95, "expired"}} {
		if x < s.upTo {
			return s.status
		}
	}
	return "revoked"
}

// seeder gathers rows per table and writes them many to a statement.
type seeder struct {
	d      *db.DB
	r      *rand.Rand
	tables []string // in the order first seen: parents before children
	cols   map[string][]string
	rows   map[string][][]any
	count  int
}

func (s *seeder) add(table string, cols []string, vals ...any) {
	if s.rows == nil {
		s.cols, s.rows = map[string][]string{}, map[string][][]any{}
	}
	if _, ok := s.cols[table]; !ok {
		s.tables = append(s.tables, table)
		s.cols[table] = cols
	}
	s.rows[table] = append(s.rows[table], vals)
	s.count++
}

func (s *seeder) flushIfFull(ctx context.Context) error {
	if s.count < 20000 {
		return nil
	}
	return s.flush(ctx)
}

// flush writes what was gathered in one transaction.
func (s *seeder) flush(ctx context.Context) error {
	err := s.d.Transact(ctx, func(tx *db.DB) error {
		for _, t := range s.tables {
			cols, rows := s.cols[t], s.rows[t]
			per := max(1, 900/len(cols)) // bind variables to a statement: more makes the SQLite driver slower, not faster
			for len(rows) > 0 {
				batch := rows[:min(per, len(rows))]
				rows = rows[len(batch):]
				if err := insertRows(ctx, tx, t, cols, batch); err != nil {
					return err
				}
			}
		}
		return nil
	})
	for t := range s.rows {
		s.rows[t] = s.rows[t][:0]
	}
	s.count = 0
	return err
}

func insertRows(ctx context.Context, tx *db.DB, table string, cols []string, rows [][]any) error {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ")")
	if tx.Dialect == db.Postgres && (table == "cases" || table == "cabinets") {
		b.WriteString(" OVERRIDING SYSTEM VALUE")
	}
	b.WriteString(" VALUES " + db.Values(len(rows), len(cols)))
	args := make([]any, 0, len(rows)*len(cols))
	for _, row := range rows {
		args = append(args, row...)
	}
	if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("seed %s: %w", table, err)
	}
	return nil
}
