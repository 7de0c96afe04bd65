package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateProduction(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want []string // substrings of the error; none means valid
	}{
		{map[string]string{}, []string{"EMGEK_SMTP_URL is not set", "EMGEK_BASE_URL is not set", "emgek keygen"}},
		{map[string]string{"EMGEK_SMTP_URL": "smtp://m:25", "EMGEK_BASE_URL": "http://portal.example.gov"}, []string{"is not https"}},
		{map[string]string{"EMGEK_SMTP_URL": "smtp://m:25", "EMGEK_BASE_URL": "https://portal.example.gov"}, nil},
		{map[string]string{"EMGEK_SMTP_URL": "smtp://m:25", "EMGEK_BASE_URL": "http://127.0.0.1:8080"}, nil},
	}
	key := filepath.Join(t.TempDir(), "audit.pem")
	if err := os.WriteFile(key, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if len(tt.env) > 0 {
			tt.env["EMGEK_AUDIT_KEY_FILE"], tt.env["EMGEK_SIGNING_KEY_FILE"] = key, key
		}
		c, err := Load(nil, nil, func(k string) string { return tt.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		err = c.ValidateProduction()
		if len(tt.want) == 0 {
			if err != nil {
				t.Errorf("%v: %v, want valid", tt.env, err)
			}
			continue
		}
		for _, w := range tt.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%v: %v, want it to say %q", tt.env, err, w)
			}
		}
	}
}

func TestLoadRejects(t *testing.T) {
	for _, env := range []map[string]string{
		{"EMGEK_JURISDICTIONS": "KG,UZ"},
		{"EMGEK_DEFAULT_LANG": "de"},
		{"EMGEK_SMTP_URL": "mail.example:25"},
		{"EMGEK_BASE_URL": "ftp://x"},
	} {
		if _, err := Load(nil, nil, func(k string) string { return env[k] }); err == nil {
			t.Errorf("%v accepted", env)
		}
	}
}
