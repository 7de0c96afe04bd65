package db_test

import (
	"testing"

	"github.com/emgek/emgek/internal/db"
)

func TestValues(t *testing.T) {
	for _, c := range []struct {
		rows, cols int
		want       string
	}{
		{1, 1, "($1)"},
		{1, 3, "($1, $2, $3)"},
		{2, 3, "($1, $2, $3), ($4, $5, $6)"},
		{3, 2, "($1, $2), ($3, $4), ($5, $6)"},
	} {
		if got := db.Values(c.rows, c.cols); got != c.want {
			t.Errorf("Values(%d, %d) = %q, want %q", c.rows, c.cols, got, c.want)
		}
	}
}
