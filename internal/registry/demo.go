package registry

import (
	"context"
	"fmt"
	"time"
)

// Demo is a registry of synthetic foreigners, for development, training
// and tests: 1,000 people for each of 15 countries. Person i (1…1000) of a
// country holds the document prefix + i in seven digits (Uzbekistan:
// AA0000001…AA0001000) and falls in a category by i % 10:
//
//	1     entry ban in force (since 200 days; indefinite when i/10 is even, else 3 more years)
//	2     passport expired
//	3     passport expires within 60 days (in 20…59 days)
//	4     holds a valid work permit (from 100 days ago to 200 days ahead)
//	5     a previous permit was revoked; otherwise eligible
//	other eligible: passport valid 3–8 more years, no ban, no permit
//
// Every person is computed from the country and i alone, so look-ups are
// cheap and deterministic. Dates are relative to Now's date in UTC, so the
// categories hold in any year.
type Demo struct {
	Now func() time.Time // nil → time.Now
}

// demoCountry is a country of the demo registry with the names its people get.
type demoCountry struct {
	code, prefix string
	male, female []string
	surnames     [][2]string // male, female form
	patronymics  [][2]string // male, female form; nil where passports have none
}

// Passport looks up a synthetic person; unknown countries and numbers are
// ErrNotFound. The number is normalized and the country upper-cased first.
func (d *Demo) Passport(ctx context.Context, country, number string) (*Foreigner, error) {
	code, _ := normalizeCountry(country)
	ci := demoCountryIndex(code)
	if ci < 0 {
		return nil, ErrNotFound
	}
	i, ok := demoIndex(demoCountries[ci].prefix, NormalizeNumber(number))
	if !ok {
		return nil, ErrNotFound
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	t := now().UTC()
	return demoPerson(ci, i, time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)), nil
}

// demoCountryIndex returns the index of code in demoCountries, or -1.
func demoCountryIndex(code string) int {
	for ci, c := range demoCountries {
		if c.code == code {
			return ci
		}
	}
	return -1
}

// demoIndex returns i of number prefix + seven digits, 1 ≤ i ≤ DemoPerCountry.
func demoIndex(prefix, number string) (int, bool) {
	if len(number) != len(prefix)+7 || number[:len(prefix)] != prefix {
		return 0, false
	}
	i := 0
	for _, c := range number[len(prefix):] {
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int(c-'0')
	}
	return i, i >= 1 && i <= DemoPerCountry
}

// DemoPerCountry is how many people of each country the demo registry
// holds: enough for load tests to apply for thousands of distinct people.
const DemoPerCountry = 1000

func demoNumber(prefix string, i int) string { return fmt.Sprintf("%s%07d", prefix, i) }

// birthEpoch anchors birth dates, which unlike the documents' dates do
// not follow the clock.
var birthEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// demoPerson builds person i of demoCountries[ci] as of today (midnight UTC).
func demoPerson(ci, i int, today time.Time) *Foreigner {
	c := &demoCountries[ci]
	pick := func(salt uint64, n int) int { return int(mix(uint64(ci)<<32|uint64(i)<<8|salt) % uint64(n)) }
	day := func(t time.Time) string { return t.Format(time.DateOnly) }

	sex, form := "M", 0
	given := c.male[pick(1, len(c.male))]
	if pick(2, 2) == 1 {
		sex, form = "F", 1
		given = c.female[pick(1, len(c.female))]
	}
	f := &Foreigner{
		Country:     c.code,
		Number:      demoNumber(c.prefix, i),
		Surname:     c.surnames[pick(3, len(c.surnames))][form],
		GivenName:   given,
		Sex:         sex,
		BirthDate:   day(birthEpoch.AddDate(-20, 0, -pick(4, 12775))), // 20 to 55 years before 2026: a person's birthday does not move
		Citizenship: c.code,
		Demo:        true,
	}
	if c.patronymics != nil {
		f.Patronymic = c.patronymics[pick(5, len(c.patronymics))][form]
	}

	expires := today.AddDate(3, 0, pick(6, 5*365)) // 3 to 8 years ahead
	permitNo := func(from time.Time) string { return fmt.Sprintf("WP-KG-%d-%06d", from.Year(), (ci+1)*1000+i) }
	switch i % 10 {
	case 1:
		b := Ban{From: day(today.AddDate(0, 0, -200)), Basis: demoBanBases[pick(7, len(demoBanBases))]}
		if (i/10)%2 == 1 {
			b.Until = day(today.AddDate(3, 0, 0))
		}
		f.Bans = []Ban{b}
	case 2:
		expires = today.AddDate(0, 0, -30-7*i)
	case 3:
		expires = today.AddDate(0, 0, 20+(7*i)%40)
	case 4:
		from := today.AddDate(0, 0, -100)
		f.Permits = []Permit{{Number: permitNo(from), ValidFrom: day(from), ValidUntil: day(today.AddDate(0, 0, 200))}}
	case 5:
		// Revoked while it still had months to run: only the revocation
		// keeps it from being valid today.
		from := today.AddDate(0, 0, -300)
		f.Permits = []Permit{{Number: permitNo(from), ValidFrom: day(from), ValidUntil: day(today.AddDate(0, 0, 65)),
			RevokedOn: day(today.AddDate(0, 0, -120)), RevokeReason: demoRevokeReasons[pick(8, len(demoRevokeReasons))]}}
	}
	f.ExpiresOn = day(expires)
	f.IssuedOn = day(expires.AddDate(-10, 0, 0))
	return f
}

// mix is splitmix64's finalizer: it spreads consecutive inputs evenly, so
// neighbouring people get unrelated names.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

var demoBanBases = []string{
	"Law on External Migration: violation of the rules of stay",
	"Law on External Migration: administrative expulsion",
	"Law on External Migration: work without a permit",
}

var demoRevokeReasons = []string{
	"The employment contract ended early",
	"False information in the application",
	"Work outside the occupation of the permit",
}

// DemoExample is a documented person of the demo registry. Category is
// one of "ban", "expired", "expiring", "permit", "revoked" and "eligible".
type DemoExample struct{ Category, Country, Number string }

// DemoExamples returns one person per category for Uzbekistan, Tajikistan
// and Kazakhstan, for the README, the demo pages and tests.
func DemoExamples() []DemoExample {
	categories := []struct {
		name string
		rest int // i % 10
	}{{"ban", 1}, {"expired", 2}, {"expiring", 3}, {"permit", 4}, {"revoked", 5}, {"eligible", 6}}
	var out []DemoExample
	for k, code := range []string{"UZ", "TJ", "KZ"} {
		prefix := demoCountries[demoCountryIndex(code)].prefix
		for _, cat := range categories {
			// Person 10k + rest: the three countries show different people.
			out = append(out, DemoExample{cat.name, code, demoNumber(prefix, 10*k+cat.rest)})
		}
	}
	return out
}

// demoCountries: Uzbekistan's prefix is AA, as on its real passports; the
// others use their own country code. Names are written as in the
// machine-readable zone.
var demoCountries = []demoCountry{
	{code: "UZ", prefix: "AA",
		male:   []string{"BEKZOD", "JASUR", "SHERZOD", "OTABEK", "ULUGBEK", "RUSTAM", "DILSHOD", "SARDOR"},
		female: []string{"DILNOZA", "GULNORA", "NILUFAR", "MADINA", "SHAHNOZA", "FERUZA", "ZARINA", "KAMOLA"},
		surnames: [][2]string{{"KARIMOV", "KARIMOVA"}, {"YUSUPOV", "YUSUPOVA"}, {"RAKHIMOV", "RAKHIMOVA"}, {"TURSUNOV", "TURSUNOVA"},
			{"ABDULLAYEV", "ABDULLAYEVA"}, {"ISMOILOV", "ISMOILOVA"}, {"NAZAROV", "NAZAROVA"}, {"UMAROV", "UMAROVA"}},
		patronymics: [][2]string{{"RUSTAMOVICH", "RUSTAMOVNA"}, {"AKMALOVICH", "AKMALOVNA"}, {"BAKHTIYOROVICH", "BAKHTIYOROVNA"},
			{"FARKHODOVICH", "FARKHODOVNA"}, {"ANVAROVICH", "ANVAROVNA"}, {"SHAVKATOVICH", "SHAVKATOVNA"},
			{"ILKHOMOVICH", "ILKHOMOVNA"}, {"ALISHEROVICH", "ALISHEROVNA"}}},
	{code: "TJ", prefix: "TJ",
		male:   []string{"FIRDAVS", "RUSTAM", "FARRUKH", "BEHRUZ", "SUHROB", "JAMSHED", "DAVLAT", "MANUCHEHR"},
		female: []string{"MEHRANGEZ", "NIGINA", "ZARINA", "SHAHLO", "TAHMINA", "MADINA", "PARVINA", "SITORA"},
		surnames: [][2]string{{"RAHIMOV", "RAHIMOVA"}, {"SAIDOV", "SAIDOVA"}, {"SHARIPOV", "SHARIPOVA"}, {"DAVLATOV", "DAVLATOVA"},
			{"KURBONOV", "KURBONOVA"}, {"ODINAEV", "ODINAEVA"}, {"RAHMONZODA", "RAHMONZODA"}, {"SAFARZODA", "SAFARZODA"}},
		patronymics: [][2]string{{"SAIDOVICH", "SAIDOVNA"}, {"KARIMOVICH", "KARIMOVNA"}, {"SHARIFOVICH", "SHARIFOVNA"},
			{"NAZAROVICH", "NAZAROVNA"}, {"UMEDOVICH", "UMEDOVNA"}, {"KHURSHEDOVICH", "KHURSHEDOVNA"},
			{"ZAFAROVICH", "ZAFAROVNA"}, {"ABDULLOEVICH", "ABDULLOEVNA"}}},
	{code: "KZ", prefix: "KZ",
		male:   []string{"NURLAN", "YERLAN", "DAULET", "ASKAR", "ARMAN", "BAUYRZHAN", "MARAT", "TIMUR"},
		female: []string{"AIGERIM", "DANA", "GULNAR", "AIZHAN", "SAULE", "MADINA", "ASEL", "ZHANAR"},
		surnames: [][2]string{{"ZHAKSYBEKOV", "ZHAKSYBEKOVA"}, {"BEKOV", "BEKOVA"}, {"SULEIMENOV", "SULEIMENOVA"}, {"OMAROV", "OMAROVA"},
			{"TULEGENOV", "TULEGENOVA"}, {"ISMAILOV", "ISMAILOVA"}, {"SADYKOV", "SADYKOVA"}, {"AKHMETOV", "AKHMETOVA"}},
		patronymics: [][2]string{{"NURLANOVICH", "NURLANOVNA"}, {"SERIKOVICH", "SERIKOVNA"}, {"BOLATOVICH", "BOLATOVNA"},
			{"YERZHANOVICH", "YERZHANOVNA"}, {"KAIRATOVICH", "KAIRATOVNA"}, {"MUKHTAROVICH", "MUKHTAROVNA"},
			{"ASKAROVICH", "ASKAROVNA"}, {"RUSTEMOVICH", "RUSTEMOVNA"}}},
	{code: "RU", prefix: "RU",
		male:   []string{"ALEKSANDR", "DMITRII", "SERGEI", "ANDREI", "MIKHAIL", "IVAN", "NIKOLAI", "PAVEL"},
		female: []string{"ELENA", "OLGA", "TATIANA", "NATALIA", "IRINA", "ANNA", "SVETLANA", "MARIIA"},
		surnames: [][2]string{{"IVANOV", "IVANOVA"}, {"SMIRNOV", "SMIRNOVA"}, {"KUZNETSOV", "KUZNETSOVA"}, {"POPOV", "POPOVA"},
			{"VASILEV", "VASILEVA"}, {"PETROV", "PETROVA"}, {"SOKOLOV", "SOKOLOVA"}, {"MOROZOV", "MOROZOVA"}},
		patronymics: [][2]string{{"IVANOVICH", "IVANOVNA"}, {"SERGEEVICH", "SERGEEVNA"}, {"ALEKSANDROVICH", "ALEKSANDROVNA"},
			{"NIKOLAEVICH", "NIKOLAEVNA"}, {"DMITRIEVICH", "DMITRIEVNA"}, {"PETROVICH", "PETROVNA"},
			{"VIKTOROVICH", "VIKTOROVNA"}, {"ANDREEVICH", "ANDREEVNA"}}},
	{code: "CN", prefix: "CN",
		male:     []string{"WEI", "JIE", "HAO", "LEI", "JUN", "MING", "QIANG", "TAO"},
		female:   []string{"MEI", "JING", "YAN", "HUI", "LING", "XIAOHONG", "TING", "NA"},
		surnames: same("WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO")},
	{code: "TR", prefix: "TR",
		male:     []string{"MEHMET", "MUSTAFA", "AHMET", "ALI", "HUSEYIN", "HASAN", "IBRAHIM", "EMRE"},
		female:   []string{"FATMA", "AYSE", "EMINE", "HATICE", "ZEYNEP", "ELIF", "MERVE", "ESRA"},
		surnames: same("YILMAZ", "KAYA", "DEMIR", "SAHIN", "CELIK", "YILDIZ", "YILDIRIM", "OZTURK")},
	{code: "IN", prefix: "IN",
		male:     []string{"RAHUL", "AMIT", "VIKRAM", "SANJAY", "ARJUN", "RAJESH", "SURESH", "KARAN"},
		female:   []string{"PRIYA", "ANJALI", "SUNITA", "KAVITA", "POOJA", "NEHA", "DEEPA", "ANITA"},
		surnames: same("SHARMA", "SINGH", "KUMAR", "PATEL", "GUPTA", "REDDY", "NAIR", "DAS")},
	{code: "PK", prefix: "PK",
		male:     []string{"IMRAN", "BILAL", "USMAN", "HAMZA", "FAISAL", "ASIF", "KAMRAN", "TARIQ"},
		female:   []string{"AYESHA", "FATIMA", "SANA", "HINA", "SADIA", "NAZIA", "RABIA", "AMNA"},
		surnames: same("KHAN", "AHMED", "MALIK", "HUSSAIN", "IQBAL", "CHAUDHRY", "BUTT", "QURESHI")},
	{code: "AF", prefix: "AF",
		male:     []string{"AHMAD", "MOHAMMAD", "ABDUL", "HAMID", "NASIR", "JAWAD", "FARID", "WAHID"},
		female:   []string{"ZAHRA", "MARYAM", "NILOFAR", "FARIBA", "SHABANA", "MALALAI", "ROYA", "HOSAI"},
		surnames: same("AHMADZAI", "POPAL", "STANIKZAI", "HAIDARI", "RAHIMI", "SAFI", "KAKAR", "NOORI")},
	{code: "BD", prefix: "BD",
		male:     []string{"RAHIM", "KARIM", "SHAKIL", "TANVIR", "FAHIM", "RASHED", "MASUD", "ARIF"},
		female:   []string{"NUSRAT", "FARHANA", "SHIRIN", "NASRIN", "TASNIM", "SHARMIN", "RUMANA", "SABINA"},
		surnames: same("HOSSAIN", "RAHMAN", "ISLAM", "AHMED", "CHOWDHURY", "UDDIN", "SARKAR", "MIA")},
	{code: "KR", prefix: "KR",
		male:     []string{"MINJUN", "JIHOON", "HYUNWOO", "SUNGMIN", "JAEHYUK", "DONGHYUN", "SEUNGHO", "YOUNGSOO"},
		female:   []string{"SEOYEON", "JIWOO", "HAEUN", "SOYEON", "MINJI", "EUNJI", "YUNA", "HYEJIN"},
		surnames: same("KIM", "LEE", "PARK", "CHOI", "JUNG", "KANG", "CHO", "YOON")},
	{code: "AZ", prefix: "AZ",
		male:   []string{"ELVIN", "RASHAD", "ORKHAN", "TURAL", "FARID", "ELCHIN", "ANAR", "KAMRAN"},
		female: []string{"AYTAN", "LEYLA", "NARGIZ", "GUNEL", "SEVINJ", "AYGUN", "FIDAN", "KONUL"},
		surnames: [][2]string{{"ALIYEV", "ALIYEVA"}, {"MAMMADOV", "MAMMADOVA"}, {"HASANOV", "HASANOVA"}, {"HUSEYNOV", "HUSEYNOVA"},
			{"GULIYEV", "GULIYEVA"}, {"ISMAYILOV", "ISMAYILOVA"}, {"ABBASOV", "ABBASOVA"}, {"BABAYEV", "BABAYEVA"}},
		patronymics: [][2]string{{"RAFIG OGLU", "RAFIG GIZI"}, {"ELDAR OGLU", "ELDAR GIZI"}, {"VUGAR OGLU", "VUGAR GIZI"},
			{"ILHAM OGLU", "ILHAM GIZI"}, {"NATIG OGLU", "NATIG GIZI"}, {"ZAUR OGLU", "ZAUR GIZI"},
			{"FAMIL OGLU", "FAMIL GIZI"}, {"ELSHAD OGLU", "ELSHAD GIZI"}}},
	{code: "NP", prefix: "NP",
		male:     []string{"BIKASH", "SUDIP", "RAJAN", "PRAKASH", "DIPAK", "ROSHAN", "ANIL", "SAROJ"},
		female:   []string{"SITA", "GITA", "SARITA", "PRATIKSHA", "SABINA", "ASMITA", "KABITA", "RITA"},
		surnames: same("SHRESTHA", "GURUNG", "TAMANG", "THAPA", "MAGAR", "RAI", "ADHIKARI", "KARKI")},
	{code: "DE", prefix: "DE",
		male:     []string{"LUKAS", "JONAS", "FELIX", "MAXIMILIAN", "TOBIAS", "STEFAN", "MICHAEL", "THOMAS"},
		female:   []string{"ANNA", "LENA", "JULIA", "SARAH", "LAURA", "KATHARINA", "SABINE", "CLAUDIA"},
		surnames: same("MUELLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER", "MEYER", "WAGNER", "BECKER")},
	{code: "US", prefix: "US",
		male:     []string{"JAMES", "JOHN", "ROBERT", "MICHAEL", "DAVID", "WILLIAM", "DANIEL", "CHRISTOPHER"},
		female:   []string{"MARY", "JENNIFER", "LINDA", "ELIZABETH", "SUSAN", "JESSICA", "SARAH", "KAREN"},
		surnames: same("SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS")},
}

// same gives surnames that are the same for men and women.
func same(names ...string) [][2]string {
	out := make([][2]string, len(names))
	for i, n := range names {
		out[i] = [2]string{n, n}
	}
	return out
}
