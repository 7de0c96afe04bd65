// Package printout renders the documents Emgek issues as PDF, one function
// per document, in the holder's language, with an embedded font that has
// the Kazakh and Kyrgyz letters (ә ғ қ ң ө ұ ү һ і) and a QR code that
// carries the document's verification URL.
package printout

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/emgek/emgek/internal/i18n"
)

// Noto Sans (SIL Open Font Licence, fonts/OFL.txt).
var (
	//go:embed fonts/NotoSans-Regular.ttf
	regular []byte
	//go:embed fonts/NotoSans-Bold.ttf
	bold []byte
)

// newDoc starts an A4 page with the font and the ministry's header.
func newDoc(l *i18n.Localizer, title string) *fpdf.Fpdf {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCreator("Emgek", true)
	f.SetTitle(title, true)
	f.AddUTF8FontFromBytes("Noto", "", regular)
	f.AddUTF8FontFromBytes("Noto", "B", bold)
	f.SetMargins(18, 16, 18)
	f.SetAutoPageBreak(true, 18)
	f.AddPage()
	f.SetFillColor(11, 79, 108)
	f.Rect(0, 0, 210, 14, "F")
	f.SetTextColor(255, 255, 255)
	f.SetFont("Noto", "B", 10)
	f.SetXY(18, 4)
	f.CellFormat(174, 6, l.T("app.ministry"), "", 0, "L", false, 0, "")
	f.SetTextColor(11, 12, 12)
	f.SetY(22)
	return f
}

// qr draws a QR code of url at x, y with side mm.
func qr(f *fpdf.Fpdf, url string, x, y, side float64) error {
	png, err := qrcode.Encode(url, qrcode.Medium, 512)
	if err != nil {
		return fmt.Errorf("printout: QR: %w", err)
	}
	name := fmt.Sprintf("qr-%p", f)
	f.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
	f.ImageOptions(name, x, y, side, side, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	return nil
}

func finish(f *fpdf.Fpdf, w io.Writer) error {
	if err := f.Output(w); err != nil {
		return fmt.Errorf("printout: %w", err)
	}
	return nil
}
