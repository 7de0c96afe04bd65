package registry

import (
	"context"
	"fmt"
	"time"

	"github.com/emgek/emgek/internal/kzid"
)

// DemoIndividuals is a state database of synthetic individuals, for
// development, training and tests: DemoIndividualsCount people. Person i
// (1…DemoIndividualsCount) has the IIN kzid.NewIIN(birth date, sex, i): the
// serial (digits 8–11) is i, so a look-up computes the one person the IIN
// can be and compares the IINs, without any table. People come in
// households of ten, i = 10h + slot + 1, and slot decides who they are:
//
//	0     married man, born 1965–1977: spouse 1, children 2 and 3, parent 4
//	1     his wife, with his surname: spouse 0, children 2 and 3
//	2     their child, a minor born 2014–2023: parents 0 and 1
//	3     their child, an adult born 24–28 years after the father: parents 0 and 1
//	4     the man's father, deceased (died 2000–2024): child 0
//	5     a single adult born 1950–2004; in households 0–59, head of demo organisation h + 1
//	6–9   single adults born 1950–2004; slot 9 of every fifth household (h % 5 == 2) is a foreign citizen
//
// Names are Kazakh, in Cyrillic; patronymics follow the father's given
// name within a household. Birth dates are fixed (a birth date is part of
// the IIN, which never changes), so minors stay under 18 through 2031. When
// no check digit exists for a birth date and serial, the birth date moves
// on by a day until one does.
//
// Now only places the registry in time: a person born after today's date
// (UTC) is not found, is left out of others' families, and a death after
// today is not yet recorded.
type DemoIndividuals struct {
	Now func() time.Time // nil → time.Now
}

// DemoIndividualsCount is how many people the demo database of individuals holds.
const DemoIndividualsCount = 2000

// DemoOrganisationsCount is how many legal entities the demo register holds.
const DemoOrganisationsCount = 60

// Individual looks up a synthetic person: any IIN that is not valid or
// not one of the generated people's is ErrNotFound.
func (d *DemoIndividuals) Individual(ctx context.Context, iin string) (*Individual, error) {
	p, err := kzid.ParseIIN(iin)
	if err != nil {
		return nil, ErrNotFound
	}
	i := digitsValue(p.Number[7:11])
	if i < 1 || i > DemoIndividualsCount {
		return nil, ErrNotFound
	}
	c := demoCitizenAt(i)
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	t := now().UTC()
	today := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	if c.iin != p.Number || c.birth.After(today) {
		return nil, ErrNotFound
	}
	return demoIndividual(i, c, today), nil
}

// digitsValue is the value of a string of ASCII digits.
func digitsValue(s string) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// demoCitizen is what a person is without their family.
type demoCitizen struct {
	iin                        string
	surname, given, patronymic string
	male                       bool
	birth, died                time.Time // died: zero while alive
	citizenship, address       string
}

func (c *demoCitizen) fullName() string {
	name := c.surname + " " + c.given
	if c.patronymic != "" {
		name += " " + c.patronymic
	}
	return name
}

// kzPick draws from a salted hash of key: person, household or organisation
// (tag tells them apart, and the passports' draws from these).
func kzPick(tag, key, salt uint64, n int) int {
	return int(mix(tag<<56|key<<8|salt) % uint64(n))
}

const (
	tagPerson    = 0x4b
	tagHousehold = 0x4c
	tagOrg       = 0x4d
)

func days(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

func ymd(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// demoCitizenAt computes person i, 1 ≤ i ≤ DemoIndividualsCount.
func demoCitizenAt(i int) *demoCitizen {
	h, slot := (i-1)/10, (i-1)%10
	pp := func(salt uint64, n int) int { return kzPick(tagPerson, uint64(i), salt, n) }
	hp := func(salt uint64, n int) int { return kzPick(tagHousehold, uint64(h), salt, n) }

	surname := kzSurnames[hp(1, len(kzSurnames))]
	fatherOfMan := kzMale[hp(3, len(kzMale))] // slot 4's given name
	man := kzMale[hp(4, len(kzMale))]         // slot 0's given name
	manBorn := days(ymd(1965, 1, 1), hp(5, 13*365))
	household := demoAddress(hp(2, 1<<30))

	c := &demoCitizen{citizenship: "KZ", address: household}
	given := func(male bool) string {
		if male {
			return kzMale[pp(1, len(kzMale))].name
		}
		return kzFemale[pp(1, len(kzFemale))]
	}
	form := func() int {
		if c.male {
			return 0
		}
		return 1
	}
	switch slot {
	case 0:
		c.male, c.given, c.birth = true, man.name, manBorn
		c.surname, c.patronymic = surname[0], fatherOfMan.patronymic[0]
	case 1:
		c.given, c.birth = given(false), days(manBorn, hp(6, 8*365)-3*365)
		c.surname, c.patronymic = surname[1], kzMale[pp(2, len(kzMale))].patronymic[1]
	case 2, 3:
		c.male = pp(3, 2) == 0
		c.given = given(c.male)
		c.surname, c.patronymic = surname[form()], man.patronymic[form()]
		if slot == 2 {
			c.birth = days(ymd(2014, 1, 1), pp(4, 10*365))
		} else {
			c.birth = days(manBorn.AddDate(24, 0, 0), pp(4, 4*365))
		}
	case 4:
		c.male, c.given, c.birth = true, fatherOfMan.name, days(manBorn.AddDate(-22, 0, 0), -pp(4, 12*365))
		c.surname, c.patronymic = surname[0], kzMale[pp(2, len(kzMale))].patronymic[0]
		c.died = days(ymd(2000, 1, 1), pp(5, 25*365))
	default:
		c.male = pp(3, 2) == 0
		c.given = given(c.male)
		c.surname = kzSurnames[pp(6, len(kzSurnames))][form()]
		c.patronymic = kzMale[pp(2, len(kzMale))].patronymic[form()]
		c.birth = days(ymd(1950, 1, 1), pp(4, 55*365))
		c.address = demoAddress(pp(7, 1<<30))
		if slot == 9 && h%5 == 2 {
			c.citizenship = demoForeignCitizenships[pp(8, len(demoForeignCitizenships))]
		}
	}
	for k := 0; c.iin == ""; k++ {
		if k > 0 {
			c.birth = days(c.birth, 1)
		}
		c.iin = kzid.NewIIN(c.birth, c.male, i)
	}
	return c
}

// demoIndividual builds the Individual of person i (computed as c) as of today.
func demoIndividual(i int, c *demoCitizen, today time.Time) *Individual {
	p := &Individual{
		IIN: c.iin, Surname: c.surname, GivenName: c.given, Patronymic: c.patronymic,
		BirthDate: c.birth.Format(time.DateOnly), Sex: "F", Citizenship: c.citizenship, Address: c.address,
		Demo: true,
	}
	if c.male {
		p.Sex = "M"
	}
	if !c.died.IsZero() && !c.died.After(today) {
		p.Deceased = c.died.Format(time.DateOnly)
	}
	first := (i-1)/10*10 + 1 // slot 0 of the household
	relative := func(relation string, slot int) {
		r := demoCitizenAt(first + slot)
		if !r.birth.After(today) {
			p.Family = append(p.Family, Relative{Relation: relation, IIN: r.iin, Name: r.fullName()})
		}
	}
	switch (i - 1) % 10 {
	case 0:
		relative(RelationSpouse, 1)
		relative(RelationChild, 2)
		relative(RelationChild, 3)
		relative(RelationParent, 4)
	case 1:
		relative(RelationSpouse, 0)
		relative(RelationChild, 2)
		relative(RelationChild, 3)
	case 2, 3:
		relative(RelationParent, 0)
		relative(RelationParent, 1)
	case 4:
		relative(RelationChild, 0)
	}
	return p
}

// demoAddress is a registered address in a Kazakh city, from a draw.
func demoAddress(draw int) string {
	city := kzCities[draw%len(kzCities)]
	draw /= len(kzCities)
	street := kzStreets[draw%len(kzStreets)]
	draw /= len(kzStreets)
	return fmt.Sprintf("г. %s, ул. %s, д. %d, кв. %d", city, street, 1+draw%150, 1+(draw/150)%120)
}

// DemoOrganisations is a state register of synthetic legal entities:
// DemoOrganisationsCount of them. Entity j (1…DemoOrganisationsCount) has
// the BIN kzid.NewBIN(registration month, 4, 0, j): a resident head
// organisation whose serial (digits 7–11) is j. Its head is demo person
// 10(j−1) + 6, an adult alive; every tenth (j % 10 == 7) is liquidated.
type DemoOrganisations struct{}

// Organisation looks up a synthetic legal entity: any BIN that is not
// valid or not one of the generated entities' is ErrNotFound.
func (DemoOrganisations) Organisation(ctx context.Context, bin string) (*Organisation, error) {
	b, err := kzid.ParseBIN(bin)
	if err != nil {
		return nil, ErrNotFound
	}
	j := digitsValue(b.Number[6:11])
	if j < 1 || j > DemoOrganisationsCount {
		return nil, ErrNotFound
	}
	o := demoOrganisation(j)
	if o.BIN != b.Number {
		return nil, ErrNotFound
	}
	return o, nil
}

// demoOrganisation computes entity j, 1 ≤ j ≤ DemoOrganisationsCount.
func demoOrganisation(j int) *Organisation {
	op := func(salt uint64, n int) int { return kzPick(tagOrg, uint64(j), salt, n) }
	liquidated := j%10 == 7
	months := 30 * 12 // registered 1995–2024
	if liquidated {
		months = 15 * 12
	}
	month := ymd(1995, 1, 1).AddDate(0, op(1, months), 0)
	bin := ""
	for k := 0; bin == ""; k++ {
		if k > 0 {
			month = month.AddDate(0, 1, 0)
		}
		bin = kzid.NewBIN(month, 4, 0, j)
	}
	form := "ТОО"
	if j%5 == 0 {
		form = "АО"
	}
	a, q := (j-1)%len(kzOrgWords1), (j-1)/len(kzOrgWords1)
	head := demoCitizenAt(10*(j-1) + 6)
	registered := days(month, op(2, 28))
	o := &Organisation{
		BIN:        bin,
		Name:       fmt.Sprintf("%s «%s %s»", form, kzOrgWords1[a], kzOrgWords2[(q+7*a)%len(kzOrgWords2)]),
		LegalForm:  form,
		Address:    demoOfficeAddress(op(3, 1<<30)),
		HeadIIN:    head.iin,
		HeadName:   head.fullName(),
		Registered: registered.Format(time.DateOnly),
		Demo:       true,
	}
	if liquidated {
		o.Liquidated = days(registered.AddDate(5, 0, 0), op(4, 3*365)).Format(time.DateOnly)
	}
	return o
}

func demoOfficeAddress(draw int) string {
	city := kzCities[draw%len(kzCities)]
	draw /= len(kzCities)
	street := kzStreets[draw%len(kzStreets)]
	draw /= len(kzStreets)
	return fmt.Sprintf("г. %s, ул. %s, д. %d, офис %d", city, street, 1+draw%150, 1+(draw/150)%400)
}

// DemoIndividualExamples returns one person per category of the demo
// database of individuals, for the README, the demo pages and tests. The
// categories are "married" (with a spouse and children), "minor" (under
// 18), "deceased", "adult" (alive, 18 or older, single) and "head" (the
// head of a demo organisation). Country is "KZ" and Number the IIN.
func DemoIndividualExamples() []DemoExample {
	var out []DemoExample
	for _, e := range []struct {
		category string
		i        int
	}{{"married", 1}, {"minor", 13}, {"deceased", 25}, {"adult", 38}, {"head", 46}} {
		out = append(out, DemoExample{Category: e.category, Country: "KZ", Number: demoCitizenAt(e.i).iin})
	}
	return out
}

// DemoOrganisationBIN is the BIN of demo entity j (1…DemoOrganisationsCount),
// whose head is demo person 10(j−1) + 6.
func DemoOrganisationBIN(j int) string { return demoOrganisation(j).BIN }

// kzName is a man's given name with the patronymics it gives his son and
// daughter.
type kzName struct {
	name       string
	patronymic [2]string
}

func kzMan(name string) kzName {
	return kzName{name, [2]string{name + "ович", name + "овна"}}
}

var kzMale = []kzName{
	kzMan("Нурлан"), kzMan("Ерлан"), kzMan("Даулет"), kzMan("Аскар"), kzMan("Арман"), kzMan("Бауыржан"),
	kzMan("Марат"), kzMan("Тимур"), kzMan("Серик"), kzMan("Болат"), kzMan("Кайрат"), kzMan("Ержан"),
	kzMan("Мухтар"), kzMan("Рустем"), kzMan("Азамат"), kzMan("Данияр"), kzMan("Айдар"), kzMan("Канат"),
}

var kzFemale = []string{
	"Айгерим", "Дана", "Гульнар", "Айжан", "Сауле", "Мадина", "Асель", "Жанар", "Динара",
	"Камила", "Алия", "Аружан", "Жулдыз", "Салтанат", "Гаухар", "Меруерт", "Толкын", "Назира",
}

// kzSurnames: male and female form.
var kzSurnames = [][2]string{
	{"Ахметов", "Ахметова"}, {"Жаксыбеков", "Жаксыбекова"}, {"Сулейменов", "Сулейменова"}, {"Омаров", "Омарова"},
	{"Тулегенов", "Тулегенова"}, {"Искаков", "Искакова"}, {"Садыков", "Садыкова"}, {"Бекенов", "Бекенова"},
	{"Нургалиев", "Нургалиева"}, {"Касымов", "Касымова"}, {"Абенов", "Абенова"}, {"Жумабаев", "Жумабаева"},
	{"Мукашев", "Мукашева"}, {"Кенжебаев", "Кенжебаева"}, {"Есенов", "Есенова"}, {"Байжанов", "Байжанова"},
}

var kzCities = []string{
	"Астана", "Алматы", "Шымкент", "Караганда", "Актобе", "Тараз", "Павлодар", "Усть-Каменогорск",
	"Семей", "Атырау", "Костанай", "Кызылорда", "Уральск", "Петропавловск", "Актау", "Туркестан",
}

var kzStreets = []string{
	"Абая", "Достык", "Сейфуллина", "Толе би", "Кабанбай батыра", "Жибек жолы",
	"Сатпаева", "Ауэзова", "Байтурсынова", "Кенесары", "Айтеке би", "Жамбыла",
}

var kzOrgWords1 = []string{"Алтын", "Кок", "Ак", "Жана", "Улы", "Сары", "Кызыл", "Тенгри", "Береке", "Самал", "Нур", "Асыл"}

var kzOrgWords2 = []string{"Дала", "Жол", "Тау", "Су", "Курылыс", "Агро", "Транс", "Сервис", "Орда", "Жулдыз", "Строй", "Логистик"}

var demoForeignCitizenships = []string{"UZ", "RU", "KG", "CN"}
