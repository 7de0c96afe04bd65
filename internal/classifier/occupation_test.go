package classifier_test

import (
	"testing"

	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/dbtest"
)

func TestOccupations(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		o, err := classifier.LoadOccupations(t.Context(), d)
		if err != nil {
			t.Fatal(err)
		}
		for _, code := range []string{"0", "2", "25", "251", "2512", "7112", "9313"} {
			if o.ByCode(code) == nil {
				t.Errorf("no group %s", code)
			}
		}
		if o.Len() != 619 {
			t.Fatalf("%d groups, want 619", o.Len())
		}
		tests := []struct {
			query string
			units bool
			want  string // code of the first result
		}{
			{"2512", true, "2512"},
			{"251", true, "2511"},
			{"software dev", true, "2512"},
			{"bricklay", true, "7112"},
			{"Каменщики", true, "7112"},
			{"каменщ", true, "7112"},
			{"водител такси", true, "8322"},
		}
		for _, tt := range tests {
			got := o.Search(tt.query, tt.units, 10)
			if len(got) == 0 || got[0].Code != tt.want {
				var codes []string
				for _, g := range got {
					codes = append(codes, g.Code)
				}
				t.Errorf("Search(%q) = %v, want %s first", tt.query, codes, tt.want)
			}
			for _, g := range got {
				if tt.units && g.Level != 4 {
					t.Errorf("Search(%q) returned group %s of level %d", tt.query, g.Code, g.Level)
				}
			}
		}
		if got := o.Search("zzzz", true, 10); len(got) != 0 {
			t.Errorf("nonsense matched %d", len(got))
		}
		if x := o.ByCode("7112"); x.Title("ru") == x.Title("en") || x.Review == "" {
			t.Errorf("7112: %+v", x)
		}
	})
}

func BenchmarkOccupationSearch(b *testing.B) {
	d := dbtest.Open(b, db.SQLite)
	o, err := classifier.LoadOccupations(b.Context(), d)
	if err != nil {
		b.Fatal(err)
	}
	queries := []string{"2512", "software dev", "каменщ", "водител такси", "нурс", "ma"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		o.Search(queries[i%len(queries)], true, 10)
	}
}
