// Command ceiling is the yardstick of Emgek's performance, not a product:
// a bare net/http server doing the work of the portal's two hottest paths
// with nothing around them — no sessions, no templates, no middleware —
// on the portal's own schema, indexes and queue query, through the same
// database layer (SQLite: WAL, synchronous=NORMAL, one writer and a reader
// pool; or PostgreSQL):
//
//	POST /submit  parse a 15-field quota form, check it lightly, insert the
//	              case, its details and an audit row in one transaction, 303
//	GET  /queue   the operators' inbox page: 50 submitted quota applications,
//	              newest first, as casework.InboxQuery asks for them
//
// The load tool (bench/load --vs-ceiling) runs the same load against it
// and the portal, and prints the ratios (docs/performance.md).
//
//	go run ./bench/ceiling -addr 127.0.0.1:8090 -db sqlite:/tmp/lt/emgek.db
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/db"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address")
	url := flag.String("db", "sqlite:ceiling.db", "database: sqlite:PATH or postgres://…")
	flag.Parse()
	ctx := context.Background()
	d, err := db.Open(ctx, *url)
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()
	if err := d.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	s := &server{d: d}
	s.n.Store(time.Now().UnixNano()) // case numbers unique across runs
	// The load sends as 32 employers: so do the cases here, one cabinet
	// after the other. With one cabinet every case went to the same page
	// of the cabinet's index, which the portal's applicants do not.
	s.cabinets, err = d.IDs(ctx, `SELECT id FROM cabinets WHERE kind = 'employer' ORDER BY id LIMIT 32`)
	if err != nil || len(s.cabinets) == 0 {
		log.Fatal("ceiling: the database needs employer cabinets (run emgek demo first): ", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /submit", s.submit)
	mux.HandleFunc("GET /queue", s.queue)
	log.Printf("ceiling on http://%s (%s)", *addr, d.Dialect)
	log.Fatal((&http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}).ListenAndServe())
}

type server struct {
	d        *db.DB
	cabinets []int64
	n        atomic.Int64 // numbers the cases, and picks their cabinet
}

type row struct {
	country, occupation, justification string
	requested                          int
}

// submit is the portal's quota Send without the portal.
func (s *server) submit(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	year, err := strconv.Atoi(r.PostForm.Get("year"))
	region := r.PostForm.Get("region")
	var rows []row
	for i := 0; i < 50 && r.PostForm.Has("rows-"+strconv.Itoa(i)+"-country"); i++ {
		p := "rows-" + strconv.Itoa(i) + "-"
		n, err := strconv.Atoi(r.PostForm.Get(p + "requested"))
		occ := r.PostForm.Get(p + "occupation")
		if err != nil || n < 1 || len(occ) != 4 {
			http.Error(w, "bad row", http.StatusUnprocessableEntity)
			return
		}
		rows = append(rows, row{r.PostForm.Get(p + "country"), occ, r.PostForm.Get(p + "justification"), n})
	}
	if err != nil || region == "" || len(rows) == 0 {
		http.Error(w, "bad form", http.StatusUnprocessableEntity)
		return
	}
	ctx, now := r.Context(), time.Now().UTC()
	var id int64
	n := s.n.Add(1)
	cabinet := s.cabinets[n%int64(len(s.cabinets))]
	err = s.d.Transact(ctx, func(tx *db.DB) error {
		number := "C-" + strconv.FormatInt(n, 10)
		if err := tx.WriteRow(ctx, `INSERT INTO cases (number, service, cabinet_id, status, created_at, submitted_at, due_at, updated_at)
			VALUES ($1, 'quota', $2, 'submitted', $3, $3, $4, $3) RETURNING id`, number, cabinet, now, now.Add(28*24*time.Hour)).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO quota_applications (case_id, year, region) VALUES ($1, $2, $3)`, id, year, region); err != nil {
			return err
		}
		args := make([]any, 0, 8*len(rows))
		for _, rw := range rows {
			args = append(args, id, rw.country, rw.occupation, rw.requested, rw.justification, year, region, rw.occupation[:1])
		}
		if _, err := tx.Exec(ctx, `INSERT INTO quota_rows (case_id, country, occupation, requested, justification, year, region, major_group)
			VALUES `+db.Values(len(rows), 8), args...); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit_events (at, actor, action, object, ip, detail) VALUES ($1, 'ceiling', 'case.submit', $2, $3, 'quota')`,
			now, "case:"+strconv.FormatInt(id, 10), r.RemoteAddr)
		return err
	})
	if err != nil {
		log.Print(err)
		http.Error(w, "failed", http.StatusInternalServerError)
		return
	}
	http.Redirect(w, r, "/case/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

// queue is the inbox page's query and a bare table of its rows.
func (s *server) queue(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, args := casework.InboxQuery(casework.InboxFilter{Service: "quota", Status: casework.Submitted, Newest: true}, time.Now())
	rows, err := s.d.Query(ctx, q, args...)
	if err != nil {
		log.Print(err)
		http.Error(w, "failed", http.StatusInternalServerError)
		return
	}
	defer rows.Close()
	var b strings.Builder
	b.WriteString("<!doctype html><title>Queue</title><table>\n")
	for rows.Next() {
		var applicant string
		var parent int64
		c, err := casework.Scan(rows, &applicant, &parent)
		if err != nil {
			log.Print(err)
			http.Error(w, "failed", http.StatusInternalServerError)
			return
		}
		due := ""
		if c.DueAt != nil {
			due = c.DueAt.Format(time.DateOnly)
		}
		fmt.Fprintf(&b, "<tr><td><a href=\"/case/%d\">%s</a><td>%s<td>%s<td>%s</tr>\n", c.ID, html.EscapeString(c.Number),
			html.EscapeString(applicant), c.Status, due)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, context.Canceled) {
		log.Print(err)
	}
	b.WriteString("</table>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}
