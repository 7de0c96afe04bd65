// Package quota is the foreign-labour quota (SERVICES.md S3): each year
// the government sets how many foreign workers may be hired, by region
// and ISCO-08 major group — a ledger cell (year, region, major group).
// An employer applies with rows of country, occupation (unit group) and
// number; the commission approves per row, from the cell of the row's
// region and major group. The approved rows are the employer's
// allocation, which work permits draw on.
//
// The invariant: for every cell, the approved sum never exceeds the quota.
// A decision locks each cell it draws on (an UPDATE of the cell row, which
// PostgreSQL holds until commit and SQLite serializes anyway), then
// counts the approved rows afresh — no cached counter — so however many
// operators and instances decide at once, only the database decides who
// gets the last units.
//
// An application is a case (package casework):
//
//	draft ──> submitted ──> documents_requested ──> submitted ──> decided
//	  └──────────────── withdrawn (before the decision) ────────────┘
package quota

import (
	"time"

	"github.com/emgek/emgek/internal/casework"
)

// Lifecycle is the quota's case lifecycle: numbers Q-2026-000123, decided
// within 20 working days (the commission meets on a schedule).
var Lifecycle = &casework.Lifecycle{Service: "quota", Prefix: "Q", Jurisdiction: "KG", TermDays: 20, Confirm: true}

// Cell is one ledger cell with its figures.
type Cell struct {
	Year       int
	Region     string
	MajorGroup string
	Quota      int
	Approved   int
}

// Remaining is what may still be approved.
func (c Cell) Remaining() int { return c.Quota - c.Approved }

// Row is one line of an application.
type Row struct {
	ID            int64
	Country       string
	Occupation    string // ISCO-08 unit group
	Requested     int
	Justification string
	Approved      *int // nil until decided
	CutReason     string
}

// Application is a quota application with its case.
type Application struct {
	Case           *casework.Case
	Year           int
	Region         string
	Rows           []Row
	ProtocolNumber string
	ProtocolDate   string
}

// Decision is the commission's answer to one row.
type Decision struct {
	RowID    int64
	Approved int
	Reason   string // required when Approved < requested: a reason code
}

// CutReasons are the reason codes for approving less than requested.
var CutReasons = []string{"quota_exhausted", "local_workers_available", "documents_incomplete", "employer_capacity", "other"}

// Protocol identifies the commission's meeting that decided.
type Protocol struct {
	Number string
	Date   time.Time
}
