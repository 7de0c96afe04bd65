package printout_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/printout"
)

// TestQuotaExtract renders the extract in every language and reads it
// back as a checker would: the text with pdftotext, the QR code from an
// image of the page with zbarimg.
func TestQuotaExtract(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm", "zbarimg"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (poppler-utils, zbar-tools): run the tests with scripts/test.sh", tool)
		}
	}
	cat := i18n.MustLoad()
	url := "https://portal.example/verify/v1.abcdef0123456789.42.c2lnbmF0dXJl"
	e := printout.QuotaExtract{
		ProtocolNumber: "7/2026", ProtocolDate: "2026-11-20", CaseNumber: "Q-2026-000042",
		Employer: "«Көңүл құрылыс» ЖЧК", INN: "01234567890123", Year: 2026, Region: "Бишкек",
		Rows: []printout.ExtractRow{
			{Country: "Uzbekistan", Occupation: "7112 Bricklayers and related workers", Requested: 10, Approved: 10},
			{Country: "Türkiye", Occupation: "2512 Software developers", Requested: 5, Approved: 3, Reason: "Quota exhausted"},
		},
		VerifyURL: url,
	}
	dir := t.TempDir()
	for _, lang := range i18n.Langs {
		t.Run(lang, func(t *testing.T) {
			l := cat.Localizer(lang)
			var buf bytes.Buffer
			if err := printout.WriteQuotaExtract(&buf, e, l); err != nil {
				t.Fatal(err)
			}
			pdf := filepath.Join(dir, lang+".pdf")
			if err := os.WriteFile(pdf, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(strings.Fields(string(out)), " ")
			heading := strings.Join(strings.Fields(l.T("extract.title")), " ")
			for _, want := range []string{"7/2026", "Q-2026-000042", "Көңүл құрылыс", "қ", "ң", "ө", "ү", heading[:20]} {
				if !strings.Contains(text, want) {
					t.Errorf("the %s extract lacks %q:\n%s", lang, want, text)
				}
			}
			if err := exec.Command("pdftoppm", "-png", "-r", "150", "-singlefile", pdf, filepath.Join(dir, lang)).Run(); err != nil {
				t.Fatal(err)
			}
			code, err := exec.Command("zbarimg", "--quiet", "--raw", filepath.Join(dir, lang+".png")).Output()
			if err != nil || strings.TrimSpace(string(code)) != url {
				t.Fatalf("QR code read %q (%v), want %s", code, err, url)
			}
			if shots := os.Getenv("EMGEK_TEST_SCREENSHOTS"); shots != "" {
				_ = exec.Command("cp", filepath.Join(dir, lang+".png"), filepath.Join(shots, "extract-"+lang+".png")).Run()
			}
		})
	}
}

// TestLongExtract: fifty rows break across pages row by row, each page
// with the table's header, not cell by cell.
func TestLongExtract(t *testing.T) {
	e := printout.QuotaExtract{ProtocolNumber: "1/2026", CaseNumber: "Q-2026-000001", Employer: "E", VerifyURL: "https://portal.example/verify/x"}
	for range 50 {
		e.Rows = append(e.Rows, printout.ExtractRow{Country: "Uzbekistan", Occupation: "7112 Bricklayers and related workers", Requested: 2, Approved: 1, Reason: "Local workers available"})
	}
	var buf bytes.Buffer
	if err := printout.WriteQuotaExtract(&buf, e, i18n.MustLoad().Localizer("en")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "long.pdf")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	pages := strings.Count(string(out), "\f")
	if pages < 2 || pages > 5 {
		t.Fatalf("%d pages for 50 rows", pages)
	}
	if n := strings.Count(string(out), "Requested"); n != pages {
		t.Fatalf("the header appears %d times on %d pages", n, pages)
	}
}
