package printout

import (
	"fmt"
	"io"
	"strconv"

	"github.com/emgek/emgek/internal/i18n"
)

// QuotaExtract is the extract from the commission's protocol for one
// employer's quota application.
type QuotaExtract struct {
	ProtocolNumber string
	ProtocolDate   string // YYYY-MM-DD
	CaseNumber     string
	Employer       string
	INN            string
	Year           int
	Region         string // already in the holder's language
	Rows           []ExtractRow
	VerifyURL      string
}

// ExtractRow is one row of the decision.
type ExtractRow struct {
	Country    string // in the holder's language
	Occupation string // code and title
	Requested  int
	Approved   int
	Reason     string // translated, "" when fully approved
}

// WriteQuotaExtract renders the extract in l's language.
func WriteQuotaExtract(w io.Writer, e QuotaExtract, l *i18n.Localizer) error {
	f := newDoc(l, l.T("extract.title"))
	f.SetFont("Noto", "B", 15)
	f.MultiCell(140, 7, l.T("extract.title"), "", "L", false)
	f.SetFont("Noto", "", 10)
	f.Ln(2)
	line := func(label, value string) {
		f.SetFont("Noto", "B", 10)
		f.CellFormat(48, 6, label, "", 0, "L", false, 0, "")
		f.SetFont("Noto", "", 10)
		f.MultiCell(92, 6, value, "", "L", false)
	}
	line(l.T("extract.protocol"), l.T("extract.protocol_value", map[string]any{"Number": e.ProtocolNumber, "Date": e.ProtocolDate}))
	line(l.T("extract.application"), e.CaseNumber)
	line(l.T("extract.employer"), e.Employer)
	line(l.T("extract.inn"), e.INN)
	line(l.T("extract.year_region"), fmt.Sprintf("%d, %s", e.Year, e.Region))
	if err := qr(f, e.VerifyURL, 160, 20, 32); err != nil {
		return err
	}
	f.SetXY(150, 53)
	f.SetFont("Noto", "", 7)
	f.MultiCell(48, 3.5, l.T("extract.scan"), "", "C", false)

	f.SetY(80)
	f.SetFont("Noto", "B", 9)
	f.SetFillColor(243, 242, 241)
	widths := []float64{34, 62, 20, 20, 38}
	heads := []string{l.T("extract.country"), l.T("extract.occupation"), l.T("extract.requested"), l.T("extract.approved"), l.T("extract.reason")}
	header := func() {
		f.SetFont("Noto", "B", 9)
		for i, h := range heads {
			f.CellFormat(widths[i], 8, h, "1", 0, "C", true, 0, "")
		}
		f.Ln(-1)
		f.SetFont("Noto", "", 9)
	}
	header()
	_, pageHeight := f.GetPageSize()
	_, _, _, bottom := f.GetMargins()
	total, approved := 0, 0
	for _, r := range e.Rows {
		cells := []string{r.Country, r.Occupation, strconv.Itoa(r.Requested), strconv.Itoa(r.Approved), r.Reason}
		// Rows as tall as their longest cell.
		height := 6.0
		for i, c := range cells {
			if n := float64(len(f.SplitText(c, widths[i]-2))); n*5 > height {
				height = n * 5
			}
		}
		x, y := f.GetXY()
		if y+height > pageHeight-bottom { // the row goes whole to the next page, under the header again
			f.AddPage()
			f.SetY(22)
			header()
			x, y = f.GetXY()
		}
		for i, c := range cells {
			f.Rect(x, y, widths[i], height, "D")
			align := "L"
			if i == 2 || i == 3 {
				align = "C"
			}
			f.SetXY(x+1, y+0.5)
			f.MultiCell(widths[i]-2, 5, c, "", align, false)
			x += widths[i]
		}
		f.SetXY(18, y+height)
		total += r.Requested
		approved += r.Approved
	}
	f.SetFont("Noto", "B", 9)
	f.CellFormat(widths[0]+widths[1], 7, l.T("extract.total"), "1", 0, "R", false, 0, "")
	f.CellFormat(widths[2], 7, strconv.Itoa(total), "1", 0, "C", false, 0, "")
	f.CellFormat(widths[3], 7, strconv.Itoa(approved), "1", 0, "C", false, 0, "")
	f.CellFormat(widths[4], 7, "", "1", 1, "C", false, 0, "")
	f.Ln(6)
	f.SetFont("Noto", "", 8)
	f.MultiCell(174, 4.5, l.T("extract.footer", map[string]any{"URL": e.VerifyURL}), "", "L", false)
	return finish(f, w)
}
