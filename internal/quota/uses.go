package quota

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/db"
)

// Work permits draw on the quota one unit per approval: an employer's
// permit from one of its approved rows (same year, region, country and
// occupation), a foreign entrepreneur's straight from the ledger cell of
// its region and activity. Each take locks what it draws on — the row, or
// the cell — and counts the units used afresh in the same transaction, so
// however many operators and instances approve at once, a row never gives
// more permits than it approved and a cell never more than its quota.

// Allocation is an employer's approved row with the permits drawn on it.
type Allocation struct {
	RowID      int64
	CaseNumber string // the quota application
	Year       int
	Region     string
	Country    string
	Occupation string
	Approved   int
	Used       int
}

// Left is how many permits the row still allows.
func (a Allocation) Left() int { return a.Approved - a.Used }

// Allocations lists a cabinet's approved rows of a year and the next (a
// permit applied for in December may start in January), for one country
// of citizenship or all ("").
func Allocations(ctx context.Context, d *db.DB, cabinetID int64, year int, country string) ([]Allocation, error) {
	rows, err := d.Query(ctx, `SELECT r.id, c.number, r.year, r.region, r.country, r.occupation, r.approved,
		(SELECT COUNT(*) FROM quota_uses u WHERE u.row_id = r.id)
		FROM quota_rows r JOIN cases c ON c.id = r.case_id
		WHERE c.cabinet_id = $1 AND c.service = $2 AND c.status = 'decided' AND r.year BETWEEN $3 AND $3 + 1
			AND r.approved > 0 AND ($4 = '' OR r.country = $4)
		ORDER BY r.year, r.region, r.occupation, r.id`, cabinetID, Lifecycle.Service, year, country)
	if err != nil {
		return nil, fmt.Errorf("quota.Allocations: %w", err)
	}
	defer rows.Close()
	var out []Allocation
	for rows.Next() {
		var a Allocation
		if err := rows.Scan(&a.RowID, &a.CaseNumber, &a.Year, &a.Region, &a.Country, &a.Occupation, &a.Approved, &a.Used); err != nil {
			return nil, fmt.Errorf("quota.Allocations: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CellLeft is what a ledger cell has left (no lock: for telling an
// applicant, not for deciding).
func CellLeft(ctx context.Context, d *db.DB, year int, region, major string) (int, error) {
	var quota int
	err := d.QueryRow(ctx, `SELECT quota FROM quota_cells WHERE year = $1 AND region = $2 AND major_group = $3`, year, region, major).Scan(&quota)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("quota.CellLeft: %w", err)
	}
	used, err := approvedIn(ctx, d, year, region, major)
	return max(quota-used, 0), err
}

// TakeFromRow takes one unit of an employer's approved row for a permit
// case, in tx. None left is a Conflict.
func TakeFromRow(ctx context.Context, tx *db.DB, rowID, caseID int64, now time.Time) error {
	var approved, year int
	var region, major string
	err := tx.WriteRow(ctx, `UPDATE quota_rows SET approved = approved WHERE id = $1 AND approved IS NOT NULL
		RETURNING approved, year, region, major_group`, rowID).Scan(&approved, &year, &region, &major)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.Conflict, "permit.no_quota_left")
	}
	if err != nil {
		return fmt.Errorf("quota.TakeFromRow: %w", err)
	}
	var used int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM quota_uses WHERE row_id = $1`, rowID).Scan(&used); err != nil {
		return fmt.Errorf("quota.TakeFromRow: %w", err)
	}
	if used >= approved {
		return apperr.New(apperr.Conflict, "permit.no_quota_left")
	}
	return use(ctx, tx, caseID, sql.NullInt64{Int64: rowID, Valid: true}, year, region, major, now)
}

// TakeFromCell takes one unit straight from a ledger cell, for a foreign
// entrepreneur's permit case, in tx. None left is a Conflict.
func TakeFromCell(ctx context.Context, tx *db.DB, year int, region, major string, caseID int64, now time.Time) error {
	var quota int
	err := tx.WriteRow(ctx, `UPDATE quota_cells SET quota = quota WHERE year = $1 AND region = $2 AND major_group = $3 RETURNING quota`,
		year, region, major).Scan(&quota)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.Conflict, "permit.no_cell_left")
	}
	if err != nil {
		return fmt.Errorf("quota.TakeFromCell: %w", err)
	}
	used, err := approvedIn(ctx, tx, year, region, major)
	if err != nil {
		return err
	}
	if used >= quota {
		return apperr.New(apperr.Conflict, "permit.no_cell_left")
	}
	return use(ctx, tx, caseID, sql.NullInt64{}, year, region, major, now)
}

func use(ctx context.Context, tx *db.DB, caseID int64, row sql.NullInt64, year int, region, major string, now time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO quota_uses (case_id, row_id, year, region, major_group, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		caseID, row, year, region, major, now.UTC()); err != nil {
		return fmt.Errorf("quota: use: %w", err)
	}
	return nil
}
