package account

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/db"
)

// Editable are the profile fields a cabinet may ask to change, by kind.
// Email (the login), the tax number, the citizenship, the date of birth
// and the cabinet's type identify the cabinet and cannot change this way.
var Editable = map[Kind][]string{
	Employer: {"org_name", "legal_form", "registered_address", "actual_address", "head_name", "phone"},
	FIE:      {"surname", "given_name", "patronymic", "passport_no", "passport_issued", "passport_expires", "address", "activity", "phone"},
	Nomad:    {"surname", "given_name", "patronymic", "passport_no", "passport_issued", "passport_expires", "address", "field_of_work", "clients_abroad", "phone"},
}

// Values returns the cabinet's editable fields as form values.
func (c *Cabinet) Values() map[string]string {
	v := map[string]string{"phone": c.Phone}
	if e := c.Employer; e != nil {
		v["org_name"], v["legal_form"], v["inn"] = e.OrgName, e.LegalForm, e.INN
		v["registered_address"], v["actual_address"], v["head_name"] = e.RegisteredAddress, e.ActualAddress, e.HeadName
	}
	if p := c.Person; p != nil {
		v["surname"], v["given_name"], v["patronymic"] = p.Surname, p.GivenName, p.Patronymic
		v["passport_no"], v["passport_issued"], v["passport_expires"] = p.PassportNo, p.PassportIssued, p.PassportExpires
		v["address"], v["activity"], v["field_of_work"], v["clients_abroad"] = p.Address, p.Activity, p.FieldOfWork, p.ClientsAbroad
	}
	return v
}

// Changed validates new values of the editable fields with the rules of
// registration and returns those that differ from the cabinet's.
func (c *Cabinet) Changed(values map[string]string, today time.Time) (map[string]string, error) {
	merged := c.Values()
	for _, f := range Editable[c.Kind] {
		merged[f] = strings.TrimSpace(values[f])
	}
	merged["phone"] = NormalizePhone(merged["phone"])
	if c.Kind != Employer {
		merged["passport_no"] = NormalizePassport(merged["passport_no"])
	}
	// The rules of registration, on a registration made of the cabinet
	// with the new values; only the editable fields' problems count.
	const unchanged = "the password is not part of this change"
	r := Registration{Kind: c.Kind, Email: c.Email, Password: unchanged, PasswordConfirm: unchanged, Phone: merged["phone"],
		DraftKinds: []string{"registration_certificate", "photo", "passport_page"}}
	if c.Employer != nil {
		r.Employer = EmployerProfile{OrgName: merged["org_name"], LegalForm: merged["legal_form"], INN: c.Employer.INN,
			RegisteredAddress: merged["registered_address"], ActualAddress: merged["actual_address"], HeadName: merged["head_name"]}
	} else {
		p := *c.Person
		p.Surname, p.GivenName, p.Patronymic = merged["surname"], merged["given_name"], merged["patronymic"]
		p.PassportNo, p.PassportIssued, p.PassportExpires = merged["passport_no"], merged["passport_issued"], merged["passport_expires"]
		p.Address, p.Activity, p.FieldOfWork, p.ClientsAbroad = merged["address"], merged["activity"], merged["field_of_work"], merged["clients_abroad"]
		r.Person = p
	}
	var fe apperr.FieldErrors
	for name, problem := range r.Validate(today, func(string) bool { return true }) {
		if slices.Contains(Editable[c.Kind], name) {
			fe.Add(name, problem.Key, problem.Args)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	old := c.Values()
	changed := map[string]string{}
	for _, f := range Editable[c.Kind] {
		if merged[f] != old[f] {
			changed[f] = merged[f]
		}
	}
	if len(changed) == 0 {
		return nil, apperr.Field(Editable[c.Kind][0], "profile.no_change")
	}
	return changed, nil
}

// profileColumns maps editable fields to their table and column; only
// these names are ever put into SQL.
var profileColumns = map[string][2]string{
	"phone":    {"cabinets", "phone"},
	"org_name": {"employers", "org_name"}, "legal_form": {"employers", "legal_form"},
	"registered_address": {"employers", "registered_address"}, "actual_address": {"employers", "actual_address"},
	"head_name": {"employers", "head_name"},
	"surname":   {"persons", "surname"}, "given_name": {"persons", "given_name"}, "patronymic": {"persons", "patronymic"},
	"passport_no": {"persons", "passport_no"}, "passport_issued": {"persons", "passport_issued"},
	"passport_expires": {"persons", "passport_expires"}, "address": {"persons", "address"}, "activity": {"persons", "activity"},
	"field_of_work": {"persons", "field_of_work"}, "clients_abroad": {"persons", "clients_abroad"},
}

// ApplyProfile writes approved changes of a cabinet's profile in tx.
func ApplyProfile(ctx context.Context, tx *db.DB, cabinetID int64, changes map[string]string) error {
	for field, value := range changes {
		col, ok := profileColumns[field]
		if !ok {
			return fmt.Errorf("account.ApplyProfile: %q is not editable", field)
		}
		key := "cabinet_id"
		if col[0] == "cabinets" {
			key = "id"
		}
		if _, err := tx.Exec(ctx, `UPDATE `+col[0]+` SET `+col[1]+` = $1 WHERE `+key+` = $2`, value, cabinetID); err != nil {
			return fmt.Errorf("account.ApplyProfile: %w", err)
		}
	}
	_, err := tx.Exec(ctx, `UPDATE cabinets SET version = version + 1 WHERE id = $1`, cabinetID)
	return err
}
