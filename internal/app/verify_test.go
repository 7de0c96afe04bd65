package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/emgek/emgek/internal/app"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/config"
	"github.com/emgek/emgek/internal/printout"
	"github.com/emgek/emgek/internal/quota"
)

// TestVerifyAcrossRestart: an extract is issued; its QR's page says it is
// genuine, shows the decision and the PDF's SHA-256 — also after the
// server restarted; a token with one character changed is forged; every
// check is logged.
func TestVerifyAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	start := func() (*app.App, func(path string) *httptest.ResponseRecorder) {
		cfg, err := config.Load(nil, nil, func(k string) string {
			return map[string]string{"EMGEK_DATA": dir, "EMGEK_DEV": "1", "EMGEK_BASE_URL": "https://portal.example"}[k]
		})
		if err != nil {
			t.Fatal(err)
		}
		a, err := app.New(t.Context(), cfg, app.Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		get := func(path string) *httptest.ResponseRecorder {
			w := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, path, nil)
			r.Header.Set("Accept-Language", "en")
			a.Handler.ServeHTTP(w, r)
			return w
		}
		return a, get
	}
	a, get := start()
	ctx := context.Background()
	var cabinet, staffID int64
	now := time.Now().UTC()
	if err := a.DB.WriteRow(ctx, `INSERT INTO cabinets (kind, status, email, password_hash, phone, lang, created_at, password_changed_at)
		VALUES ('employer', 'active', 'v@example.test', '', '1', 'en', $1, $1) RETURNING id`, now).Scan(&cabinet); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.Exec(ctx, `INSERT INTO employers (cabinet_id, org_name, legal_form, inn, registered_address, actual_address, head_name)
		VALUES ($1, 'Ala-Too Build LLC', 'llc', '01234567890123', 'a', 'b', 'c')`, cabinet); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.WriteRow(ctx, `INSERT INTO staff (email, name, role, created_at) VALUES ('s@example.test', 'S', 'operator', $1) RETURNING id`, now).Scan(&staffID); err != nil {
		t.Fatal(err)
	}
	by := audit.Event{Actor: "test"}
	if err := a.Quotas.SetQuota(ctx, 2026, "KG-GB", "7", 10, by); err != nil {
		t.Fatal(err)
	}
	caseID, err := a.Quotas.Apply(ctx, cabinet, 2026, "KG-GB", []quota.Row{{Country: "UZ", Occupation: "7112", Requested: 4}}, by)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Quotas.Submit(ctx, cabinet, caseID, by); err != nil {
		t.Fatal(err)
	}
	q, _ := a.Quotas.ByCase(ctx, a.DB, caseID)
	if err := a.Quotas.Decide(ctx, caseID, staffID, []quota.Decision{{RowID: q.Rows[0].ID, Approved: 3, Reason: "quota_exhausted"}},
		quota.Protocol{Number: "7/2026", Date: now}, by); err != nil {
		t.Fatal(err)
	}
	var url string
	issued, _, err := a.Issuer.Issue(ctx, "quota_extract", caseID, "en", func(w io.Writer, verifyURL string) error {
		url = verifyURL
		return printout.WriteQuotaExtract(w, printout.QuotaExtract{ProtocolNumber: "7/2026", CaseNumber: q.Case.Number, VerifyURL: verifyURL},
			a.Kit.Catalog.Localizer("en"))
	})
	if err != nil {
		t.Fatal(err)
	}
	path := strings.TrimPrefix(url, "https://portal.example")
	check := func(get func(string) *httptest.ResponseRecorder) {
		r := get(path)
		body := r.Body.String()
		if r.Code != http.StatusOK || !strings.Contains(body, "This document is genuine") || !strings.Contains(body, issued.SHA256) ||
			!strings.Contains(body, "Ala-Too Build LLC") || !strings.Contains(body, ">3<") || r.Header().Get("Set-Cookie") != "" {
			t.Fatalf("verify: %d\n%s", r.Code, body)
		}
	}
	check(get)
	a.Close()

	a, get = start() // a restart: the key comes from its file
	defer a.Close()
	check(get)
	forged := []byte(path)
	forged[len(forged)-5] ^= 1
	if r := get(string(forged)); r.Code != http.StatusNotFound || !strings.Contains(r.Body.String(), "This document is not genuine") {
		t.Fatalf("forged: %d", r.Code)
	}
	var logged int
	if err := a.DB.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'document.verify'`).Scan(&logged); err != nil || logged != 3 {
		t.Fatalf("%d checks logged, want 3 (%v)", logged, err)
	}
	var keys struct {
		Keys []struct {
			ID     string `json:"key_id"`
			Public string `json:"public_key"`
		}
	}
	if err := json.Unmarshal(get("/verify/key").Body.Bytes(), &keys); err != nil || len(keys.Keys) != 1 || !strings.Contains(path, keys.Keys[0].ID) {
		t.Fatalf("keys %+v %v", keys, err)
	}
}
