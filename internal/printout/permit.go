package printout

import (
	"io"
	"strings"

	"github.com/go-pdf/fpdf"

	"github.com/emgek/emgek/internal/i18n"
)

// Permit is a work permit as printed.
type Permit struct {
	Number      string // permit number, e.g. "WP-2026-000123"
	CaseNumber  string // the application, e.g. "P-2026-000045"
	Holder      string // full name, Latin, as in the passport
	BirthDate   string // YYYY-MM-DD
	Citizenship string // country name in the holder's language
	Passport    string // document number
	Employer    string // organisation name with its INN, or "Individual entrepreneur" wording for a foreign entrepreneur (already composed by the caller)
	Occupation  string // ISCO-08 code and title in the language
	Region      string // in the language
	Workplace   string // address
	ValidFrom   string // YYYY-MM-DD
	ValidUntil  string // YYYY-MM-DD
	IssuedOn    string // YYYY-MM-DD
	VerifyURL   string
	Demo        bool // holder data from the demo registry: print a visible "DEMO DATA — NOT A VALID DOCUMENT" band
}

// WritePermit renders the permit in l's language on one A4 page. The
// permit binds its holder to one employer, occupation and region, so those
// are printed in full, however long, and the footer says so; the QR code
// carries the verification URL, where the permit's current status (it may
// have been revoked since it was printed) is what counts.
func WritePermit(w io.Writer, p Permit, l *i18n.Localizer) error {
	title := l.T("permitpdf.title")
	f := newDoc(l, title)

	if err := qr(f, p.VerifyURL, 160, 20, 32); err != nil {
		return err
	}
	f.SetXY(152, 53) // centred under the code
	f.SetFont("Noto", "", 7)
	f.MultiCell(48, 3.5, l.T("permitpdf.scan"), "", "C", false)
	qrBottom := f.GetY()

	// Title and number stay left of the QR code and its caption.
	f.SetXY(18, 24)
	f.SetFont("Noto", "B", 16)
	f.MultiCell(126, 7.5, strings.ToUpper(title), "", "L", false)
	f.Ln(3)
	f.SetFont("Noto", "B", 20)
	f.SetTextColor(11, 79, 108)
	f.MultiCell(126, 9, l.T("permitpdf.number", map[string]any{"Number": p.Number}), "", "L", false)
	f.SetTextColor(11, 12, 12)
	y := max(f.GetY(), qrBottom) + 5

	demo := strings.ToUpper(l.T("permitpdf.demo"))
	if p.Demo {
		f.SetFillColor(178, 34, 34)
		f.SetTextColor(255, 255, 255)
		f.SetFont("Noto", "B", 12)
		f.SetXY(18, y)
		f.CellFormat(174, 10, demo, "", 1, "C", true, 0, "")
		f.SetTextColor(11, 12, 12)
		y += 14
	}

	rows := [][2]string{
		{l.T("permitpdf.holder"), p.Holder},
		{l.T("permitpdf.birth_date"), p.BirthDate},
		{l.T("permitpdf.citizenship"), p.Citizenship},
		{l.T("permitpdf.passport"), p.Passport},
		{l.T("permitpdf.employer"), p.Employer},
		{l.T("permitpdf.occupation"), p.Occupation},
		{l.T("permitpdf.region"), p.Region},
		{l.T("permitpdf.workplace"), p.Workplace},
		{l.T("permitpdf.validity"), p.ValidFrom + " – " + p.ValidUntil},
		{l.T("permitpdf.issued"), p.IssuedOn},
		{l.T("permitpdf.application"), p.CaseNumber},
	}
	f.SetY(y)
	f.SetDrawColor(160, 160, 160)
	f.SetLineWidth(0.2)
	for i, r := range rows {
		bold := i == 0 // the holder's name stands out
		fieldRow(f, r[0], r[1], bold)
	}

	f.Ln(8)
	f.SetDrawColor(11, 79, 108)
	f.SetLineWidth(0.4)
	f.Line(18, f.GetY(), 192, f.GetY())
	f.Ln(3)
	f.SetFont("Noto", "", 8.5)
	f.MultiCell(174, 4.5, l.T("permitpdf.footer", map[string]any{"URL": p.VerifyURL}), "", "L", false)

	if p.Demo {
		watermark(f, demo)
	}
	return finish(f, w)
}

// fieldRow draws one labelled row of the table, as tall as its longer cell.
func fieldRow(f *fpdf.Fpdf, label, value string, bold bool) {
	const labelW, valueW, line, pad = 58.0, 116.0, 5.2, 2.0
	f.SetFont("Noto", "B", 9)
	labelLines := len(f.SplitText(label, labelW-4))
	valueStyle := ""
	if bold {
		valueStyle = "B"
	}
	f.SetFont("Noto", valueStyle, 10.5)
	valueLines := len(f.SplitText(value, valueW-4))
	height := float64(max(labelLines, valueLines, 1))*line + 2*pad

	x, y := 18.0, f.GetY()
	f.SetFillColor(238, 242, 245)
	f.Rect(x, y, labelW, height, "FD")
	f.Rect(x+labelW, y, valueW, height, "D")
	f.SetFont("Noto", "B", 9)
	f.SetTextColor(60, 64, 67)
	f.SetXY(x+2, y+pad)
	f.MultiCell(labelW-4, line, label, "", "L", false)
	f.SetTextColor(11, 12, 12)
	f.SetFont("Noto", valueStyle, 10.5)
	f.SetXY(x+labelW+2, y+pad)
	f.MultiCell(valueW-4, line, value, "", "L", false)
	f.SetXY(x, y+height)
}

// watermark lays text faintly across the middle of the page, below the
// QR code, so that a cut-out of the table still shows it is demo data.
func watermark(f *fpdf.Fpdf, text string) {
	const angle, span = 35.0, 230.0
	size := 40.0
	f.SetFont("Noto", "B", size)
	if w := f.GetStringWidth(text); w > span {
		size *= span / w
		f.SetFont("Noto", "B", size)
	}
	w := f.GetStringWidth(text)
	cx, cy := 105.0, 175.0
	f.SetAlpha(0.13, "Normal")
	f.SetTextColor(178, 34, 34)
	f.TransformBegin()
	f.TransformRotate(angle, cx, cy)
	f.Text(cx-w/2, cy+size*0.35/2.835, text)
	f.TransformEnd()
	f.SetAlpha(1, "Normal")
	f.SetTextColor(11, 12, 12)
}
