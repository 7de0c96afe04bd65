package account

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/eds"
	"github.com/emgek/emgek/internal/esign"
	"github.com/emgek/emgek/internal/password"
	"github.com/emgek/emgek/internal/registry"
)

// Kazakhstan's identities (issue: IIN/BIN, EDS). A citizen's cabinet is
// made only after an NCA certificate proved the IIN, from the registry of
// individuals; an organisation's, after its head's certificate proved the
// BIN and the head's role, from the register of legal entities. Both are
// active once their email is confirmed: the state registries and the NCA
// already vouched for who they are (docs/decisions.md).

// KZ holds what the Kazakhstan identities need besides the database.
type KZ struct {
	Individuals   registry.Individuals
	Organisations registry.Organisations
	Signatures    *esign.Service
}

// Individual looks a person up by IIN for purpose, audited whatever the
// answer. Not found is NotFound; a registry that does not answer is
// Unavailable.
func (s *Service) Individual(ctx context.Context, iin, purpose string, by audit.Event) (*registry.Individual, error) {
	p, err := s.KZ.Individuals.Individual(ctx, iin)
	return p, s.lookedUp(ctx, "individuals", iin, purpose, err, by)
}

// Organisation looks a legal entity up by BIN, audited like Individual.
func (s *Service) Organisation(ctx context.Context, bin, purpose string, by audit.Event) (*registry.Organisation, error) {
	o, err := s.KZ.Organisations.Organisation(ctx, bin)
	return o, s.lookedUp(ctx, "organisations", bin, purpose, err, by)
}

func (s *Service) lookedUp(ctx context.Context, reg, subject, purpose string, err error, by audit.Event) error {
	result := registry.Result(err)
	if rerr := s.DB.Transact(ctx, func(tx *db.DB) error {
		return audit.Lookup(ctx, tx, s.Now().UTC(), reg, subject, purpose, result, by)
	}); rerr != nil {
		return rerr
	}
	switch result {
	case "not_found":
		return apperr.Wrap(apperr.NotFound, "kz.not_in_registry", err)
	case "unavailable":
		return apperr.Wrap(apperr.Unavailable, "kz.registry_unavailable", err)
	}
	return nil
}

// CitizenRegistration is the form a citizen fills in after proving the
// IIN with a certificate (the IIN comes from the certificate, not the form).
type CitizenRegistration struct {
	IIN, Email, Phone, Password, PasswordConfirm, Lang string
	Consent                                            bool // to the processing of personal data
}

// RegisterCitizen creates a citizen's cabinet from the registry's record,
// waiting for email confirmation. An IIN that has a cabinet already is a
// Conflict; an email that does, is answered as Register does.
func (s *Service) RegisterCitizen(ctx context.Context, r CitizenRegistration, by audit.Event) error {
	r.Email, r.Phone = NormalizeEmail(r.Email), NormalizePhone(r.Phone)
	var fe apperr.FieldErrors
	contactProblems(&fe, r.Email, r.Phone)
	passwordProblems(&fe, r.Password, r.PasswordConfirm)
	if !r.Consent {
		fe.Add("consent", "register.consent_required")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	p, err := s.Individual(ctx, r.IIN, "register", by)
	if err != nil {
		return err
	}
	if p.Deceased != "" {
		return apperr.New(apperr.Forbidden, "kz.deceased")
	}
	if known, err := Countries(ctx, s.DB); err != nil {
		return err
	} else if !known[p.Citizenship] { // an answer the portal cannot file
		return apperr.Wrap(apperr.Unavailable, "kz.registry_unavailable", fmt.Errorf("registry: unknown citizenship code"))
	}
	hash, err := password.Hash(ctx, r.Password)
	if err != nil {
		return err
	}
	c := &Cabinet{Kind: Citizen, Status: Unconfirmed, Email: r.Email, Phone: r.Phone, Lang: r.Lang, IIN: p.IIN, passwordHash: hash,
		Person: &PersonProfile{Surname: p.Surname, GivenName: p.GivenName, Patronymic: p.Patronymic, BirthDate: p.BirthDate,
			Citizenship: p.Citizenship, Address: p.Address}}
	return s.create(ctx, c, "cabinet.register_citizen", by, nil)
}

// create inserts a cabinet proven by a certificate and sends the email
// confirmation link; an email or IIN/BIN taken meanwhile is answered as
// Register answers.
func (s *Service) create(ctx context.Context, c *Cabinet, action string, by audit.Event, then func(tx *db.DB, now time.Time) error) error {
	now := s.Now().UTC()
	err := s.DB.Transact(ctx, func(tx *db.DB) error {
		if existing, err := byEmail(ctx, tx, c.Email); err != nil || existing != nil {
			if err == nil {
				err = s.alreadyRegistered(ctx, tx, existing, by, now)
			}
			return err
		}
		if err := insert(ctx, tx, c, now); err != nil {
			if db.IsUniqueViolation(err) {
				return apperr.New(apperr.Conflict, "kz.exists")
			}
			return fmt.Errorf("account: %s: %w", action, err)
		}
		if then != nil {
			if err := then(tx, now); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, now, audit.Event{Actor: by.Actor, Action: action, Object: object(c.ID), IP: by.IP}); err != nil {
			return err
		}
		return s.sendConfirmation(ctx, tx, c)
	})
	if db.IsUniqueViolation(err) { // the same email registered at this moment
		return nil
	}
	return err
}

// OrganisationRegistration is the form an organisation's head fills in
// after proving the BIN and the head's role with a certificate.
type OrganisationRegistration struct {
	BIN, HeadIIN, HeadName, Email, Phone, Lang string
}

// RegisterOrganisation creates an organisation's cabinet (an employer
// known by BIN) from the register of legal entities, with the head as its
// first member, waiting for email confirmation. The register must name
// the certificate's holder as the head.
func (s *Service) RegisterOrganisation(ctx context.Context, r OrganisationRegistration, by audit.Event) error {
	r.Email, r.Phone = NormalizeEmail(r.Email), NormalizePhone(r.Phone)
	var fe apperr.FieldErrors
	contactProblems(&fe, r.Email, r.Phone)
	if err := fe.Err(); err != nil {
		return err
	}
	o, err := s.Organisation(ctx, r.BIN, "register", by)
	if err != nil {
		return err
	}
	if o.Liquidated != "" {
		return apperr.New(apperr.Forbidden, "kz.liquidated")
	}
	if o.HeadIIN != r.HeadIIN {
		return s.KZ.Signatures.Refuse(ctx, "organisation:register", esign.CodeWrongPerson, by)
	}
	c := &Cabinet{Kind: Employer, Status: Unconfirmed, Email: r.Email, Phone: r.Phone, Lang: r.Lang, BIN: o.BIN,
		Employer: &EmployerProfile{OrgName: o.Name, LegalForm: legalForm(o.LegalForm), INN: o.BIN, RegisteredAddress: o.Address,
			ActualAddress: o.Address, HeadName: r.HeadName}}
	return s.create(ctx, c, "cabinet.register_organisation", by, func(tx *db.DB, now time.Time) error {
		return enter(ctx, tx, c.ID, r.HeadIIN, RoleHead, r.HeadName, now)
	})
}

// legalForm maps the register's abbreviation onto the portal's forms.
func legalForm(abbr string) string {
	switch strings.ToUpper(strings.TrimSpace(abbr)) {
	case "ТОО":
		return "llc"
	case "АО":
		return "jsc"
	case "ИП":
		return "ie"
	case "ГУ", "РГП", "ГКП":
		return "state"
	case "ОФ", "ОО":
		return "ngo"
	}
	return "other"
}

// Entry is who logs in by certificate: the cabinet, and for an
// organisation the member acting for it.
type Entry struct {
	Cabinet *Cabinet
	Member  *Member
	// Register is where the person goes instead when no cabinet exists
	// yet: "citizen" or "organisation".
	Register string
}

// CertificateLogin maps a verified authentication certificate onto a
// cabinet. An organisation's certificate (with a BIN) enters that
// organisation's cabinet: as its head when the certificate says head and
// the register of legal entities names its holder as the head (who then
// replaces any previous head in Emgek); anyone else only when the head
// granted them a role. A person's certificate enters their citizen's
// cabinet. Refusals are audited.
func (s *Service) CertificateLogin(ctx context.Context, signer *eds.Signer, by audit.Event) (*Entry, error) {
	now := s.Now().UTC()
	if signer.IIN == "" { // an NCA certificate always names its holder by IIN
		return nil, s.KZ.Signatures.Refuse(ctx, "certificate:no_iin", esign.CodeNoPerson, by)
	}
	if signer.BIN != "" {
		c, err := ByBIN(ctx, s.DB, signer.BIN)
		if err != nil {
			return nil, err
		}
		head := false
		if signer.Has(eds.Head) {
			o, err := s.Organisation(ctx, signer.BIN, "login", by)
			if err != nil && !apperr.IsNotFound(err) {
				return nil, err
			}
			head = err == nil && o.HeadIIN == signer.IIN && o.Liquidated == ""
		}
		if c == nil {
			if head {
				return &Entry{Register: "organisation"}, nil
			}
			return nil, s.KZ.Signatures.Refuse(ctx, "organisation:none", CodeNotMember, by)
		}
		role := ""
		if head {
			role = RoleHead
		}
		var m *Member
		err = s.DB.Transact(ctx, func(tx *db.DB) error {
			if signer.Has(eds.Head) && !head { // a head the register no longer names
				if _, err := tx.Exec(ctx, `UPDATE organisation_members SET withdrawn_at = $1
					WHERE cabinet_id = $2 AND iin = $3 AND role = 'head' AND withdrawn_at IS NULL`, now, c.ID, signer.IIN); err != nil {
					return err
				}
			}
			return enter(ctx, tx, c.ID, signer.IIN, role, signer.CommonName, now)
		})
		if err == nil {
			m, err = MemberOf(ctx, s.DB, c.ID, signer.IIN)
		}
		if err != nil {
			return nil, err
		}
		if m == nil {
			return nil, s.KZ.Signatures.Refuse(ctx, object(c.ID), CodeNotMember, by)
		}
		return &Entry{Cabinet: c, Member: m}, nil
	}
	c, err := ByIIN(ctx, s.DB, signer.IIN)
	if err != nil || c != nil {
		return &Entry{Cabinet: c}, err
	}
	if _, err := s.Individual(ctx, signer.IIN, "login", by); err != nil {
		if apperr.IsNotFound(err) {
			return nil, s.KZ.Signatures.Refuse(ctx, "individual:none", esign.CodeNoPerson, by)
		}
		return nil, err
	}
	return &Entry{Register: "citizen"}, nil
}

// CodeNotMember refuses an organisation's certificate whose holder the
// head has not let act for the organisation.
const CodeNotMember = "not_member"
