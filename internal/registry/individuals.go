package registry

import "context"

// Kazakhstan's two state registries: the state database of individuals,
// looked up by IIN, and the state register of legal entities, looked up by
// BIN (docs/registries.md). Identifiers are validated with package kzid
// before anything is asked: a string that is not a valid IIN or BIN is
// ErrNotFound, as no record can have it. An IIN holds a person's birth
// date and sex, so neither this package's errors nor its callers' logs
// ever contain an IIN, and a BIN is kept out of them the same way.

// Individuals looks up citizens and residents of Kazakhstan by IIN (the
// state database of individuals).
type Individuals interface {
	// Individual returns the person with iin; white space in iin is
	// ignored (kzid.ParseIIN).
	Individual(ctx context.Context, iin string) (*Individual, error)
}

// Individual is a person as the state database of individuals knows them.
type Individual struct {
	IIN                            string // 12 digits
	Surname, GivenName, Patronymic string // Cyrillic, as registered; Patronymic may be ""
	BirthDate                      string // YYYY-MM-DD
	Sex                            string // "M" or "F"
	Citizenship                    string // ISO 3166-1 alpha-2, "KZ" mostly
	Address                        string // registered address (one line)
	Deceased                       string // YYYY-MM-DD or ""
	Family                         []Relative
	Demo                           bool // true for the demo registry's synthetic people: pages mark them as demo data
}

// Relations of a Relative. The registry may add others; callers treat an
// unknown relation as no relation they act on.
const (
	RelationSpouse = "spouse"
	RelationChild  = "child"
	RelationParent = "parent"
)

// Relative is a family member of an Individual: spouse, child or parent.
type Relative struct {
	Relation string // RelationSpouse, RelationChild or RelationParent
	IIN      string
	Name     string // full name, "Surname GivenName Patronymic", Cyrillic
}

// Organisations looks up legal entities by BIN (the state register of
// legal entities).
type Organisations interface {
	// Organisation returns the legal entity with bin; white space in bin
	// is ignored (kzid.ParseBIN).
	Organisation(ctx context.Context, bin string) (*Organisation, error)
}

// Organisation is a legal entity as the state register knows it.
type Organisation struct {
	BIN        string // 12 digits
	Name       string // full registered name, Cyrillic, e.g. ТОО «Алтын Дала»
	LegalForm  string // abbreviated legal form, e.g. ТОО, АО
	Address    string // registered address (one line)
	HeadIIN    string // IIN of the head (director, chair); "" when the register has none
	HeadName   string // the head's full name
	Registered string // YYYY-MM-DD
	Liquidated string // YYYY-MM-DD or ""
	Demo       bool   // true for the demo register's synthetic entities
}
