package printout_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/printout"
)

// TestPermit renders the permit in every language, plain and as demo data
// with long values, and reads it back as a checker would: the text with
// pdftotext, the QR code from an image of the page with zbarimg.
func TestPermit(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (poppler-utils, zbar-tools): run the tests with scripts/test.sh", tool)
		}
	}
	cat := i18n.MustLoad()
	url := "https://portal.example/verify/v1.0123456789abcdef.123.c2lnbmF0dXJl"
	plain := printout.Permit{
		Number: "WP-2026-000123", CaseNumber: "P-2026-000045",
		Holder: "KARIMOV Jasur Bakhodirovich", BirthDate: "1990-04-17", Citizenship: "Uzbekistan", Passport: "FA1234567",
		Employer: "«Көңүл құрылыс» ЖЧК, INN 01234567890123", Occupation: "7112 Bricklayers and related workers",
		Region: "Бишкек", Workplace: "Chuy Avenue 120, Bishkek",
		ValidFrom: "2026-03-01", ValidUntil: "2027-02-28", IssuedOn: "2026-02-20",
		VerifyURL: url,
	}
	demo := plain
	demo.Demo = true
	demo.Employer = "Limited liability company «Көңүл құрылыс жана жол куруу бирикмеси — Борбордук Азия инфраструктуралык долбоорлору», INN 01234567890123"
	demo.Workplace = "Kyrgyz Republic, Chuy Region, Alamudun District, Lebedinovka village, Sovetskaya street 1/2, construction site No. 4, building 7, block B, floor 3"
	for _, c := range []struct {
		name string
		p    printout.Permit
	}{{"plain", plain}, {"demo", demo}} {
		for _, lang := range i18n.Langs {
			t.Run(c.name+"/"+lang, func(t *testing.T) {
				l := cat.Localizer(lang)
				var buf bytes.Buffer
				if err := printout.WritePermit(&buf, c.p, l); err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				pdf := filepath.Join(dir, "permit.pdf")
				if err := os.WriteFile(pdf, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				// -nodiag: the demo watermark is diagonal text, which the layout
				// would otherwise interleave with the fields.
				out, err := exec.Command("pdftotext", "-layout", "-nodiag", pdf, "-").Output()
				if err != nil {
					t.Fatal(err)
				}
				if pages := strings.Count(string(out), "\f"); pages != 1 {
					t.Errorf("the %s permit has %d pages, want 1", lang, pages)
				}
				text := strings.Join(strings.Fields(string(out)), " ")
				heading := strings.Fields(strings.ToUpper(l.T("permitpdf.title")))
				heading = heading[:min(2, len(heading))]
				demoBand := strings.ToUpper(l.T("permitpdf.demo"))
				want := []string{"WP-2026-000123", "P-2026-000045", "KARIMOV Jasur", "1990-04-17", "FA1234567",
					"Көңүл құрылыс", "Бишкек", "2027-02-28", "қ", "ң", "ө", "ү", strings.Join(heading, " ")}
				if c.p.Demo {
					want = append(want, demoBand)
				}
				for _, s := range want {
					if !strings.Contains(text, s) {
						t.Errorf("the %s permit lacks %q:\n%s", lang, s, text)
					}
				}
				if strings.Contains(text, i18n.Missing) {
					t.Errorf("the %s permit has an untranslated message:\n%s", lang, text)
				}
				if !c.p.Demo && strings.Contains(text, demoBand) {
					t.Errorf("the %s permit says %q without demo data", lang, demoBand)
				}
				if err := exec.Command("pdftoppm", "-png", "-r", "150", "-singlefile", pdf, filepath.Join(dir, "permit")).Run(); err != nil {
					t.Fatal(err)
				}
				png := filepath.Join(dir, "permit.png")
				code, err := exec.Command("zbarimg", "--quiet", "--raw", png).Output()
				if err != nil || strings.TrimSpace(string(code)) != url {
					t.Fatalf("QR code read %q (%v), want %s", code, err, url)
				}
				if shots := os.Getenv("EMGEK_TEST_SCREENSHOTS"); shots != "" {
					_ = exec.Command("cp", png, filepath.Join(shots, "permit-"+c.name+"-"+lang+".png")).Run()
				}
			})
		}
	}
}

// BenchmarkWritePermit measures rendering a permit (font subsetting, QR
// code, one page); a permit is rendered once per language and end date.
//
//	go test ./internal/printout -run '^$' -bench WritePermit
func BenchmarkWritePermit(b *testing.B) {
	l := i18n.MustLoad().Localizer("ru")
	p := printout.Permit{Number: "WP-2026-000123", CaseNumber: "P-2026-000045", Holder: "KARIMOV JASUR BAKHODIROVICH", BirthDate: "1990-04-17",
		Citizenship: "Узбекистан", Passport: "AA1234567", Employer: "ОсОО «Ала-Тоо Курулуш», ИНН 01234567890123",
		Occupation: "7112 Каменщики и рабочие родственных занятий", Region: "Бишкек", Workplace: "Бишкек, проспект Чуй 1",
		ValidFrom: "2026-03-01", ValidUntil: "2027-02-28", IssuedOn: "2026-02-20", VerifyURL: "https://portal.example/verify/v1.0123456789abcdef.123.c2lnbmF0dXJl"}
	b.ReportAllocs()
	for b.Loop() {
		if err := printout.WritePermit(io.Discard, p, l); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "permits/s")
}
