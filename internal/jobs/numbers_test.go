package jobs

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/mail"
)

// TestWholeNumbers: an email's data comes back from the job's JSON with
// its whole numbers as integers, so the link to application 1,000,002
// reads /1000002 and not /1.000002e+06; fractions and text stay as they
// were.
func TestWholeNumbers(t *testing.T) {
	b, err := json.Marshal(Email{Name: "application_received", Lang: "ru", To: "a@example.test",
		Data: map[string]any{"ID": int64(1000002), "Number": "Q-2026-1000002", "Service": "quota", "Due": "2026-12-28",
			"Rate": 1.5, "Rows": []any{int64(3)}, "Cell": map[string]any{"Count": int64(12)}}})
	if err != nil {
		t.Fatal(err)
	}
	var e Email
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	d := wholeNumbers(e.Data)
	if d["ID"] != int64(1000002) || d["Rate"] != 1.5 || d["Rows"].([]any)[0] != int64(3) || d["Cell"].(map[string]any)["Count"] != int64(12) || d["Number"] != "Q-2026-1000002" {
		t.Fatalf("data after JSON: %#v", d)
	}
	r, err := mail.NewRenderer(i18n.MustLoad(), "https://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	m, err := r.Render(e.Name, e.Lang, e.To, d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "https://portal.example/cabinet/quota/1000002") || !strings.Contains(m.HTML, `href="https://portal.example/cabinet/quota/1000002"`) {
		t.Fatalf("the link to the application:\n%s\n%s", m.Text, m.HTML)
	}
}
