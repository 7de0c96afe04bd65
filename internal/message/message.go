// Package message carries messages from the ministry to a cabinet
// (SERVICES.md S6): an operator writes to a cabinet, optionally about one
// of its applications; the owner is emailed that a message arrived — not
// what it says, since email is not a private channel — and reads it in
// the cabinet, which marks it read. Operators see whether and when.
package message

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/jobs"
)

// Message is one message to a cabinet.
type Message struct {
	ID        int64
	CabinetID int64
	Author    string // the operator's name
	About     string // an application's number, or ""
	Subject   string
	Body      string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Service sends and lists messages.
type Service struct {
	DB   *db.DB
	Jobs *jobs.Queue
	Now  func() time.Time
}

// Draft is what an operator writes.
type Draft struct {
	Subject, Body, About string
}

// Send writes a message to a cabinet from a member of staff and emails
// the owner that it arrived.
func (s *Service) Send(ctx context.Context, cabinetID, staffID int64, d Draft, by audit.Event) (int64, error) {
	d.Subject, d.Body, d.About = strings.TrimSpace(d.Subject), strings.TrimSpace(d.Body), strings.TrimSpace(d.About)
	var fe apperr.FieldErrors
	if d.Subject == "" {
		fe.Add("subject", "form.required")
	} else if len([]rune(d.Subject)) > 200 {
		fe.Add("subject", "form.too_long")
	}
	if d.Body == "" {
		fe.Add("body", "form.required")
	}
	if err := fe.Err(); err != nil {
		return 0, err
	}
	now := s.Now().UTC()
	var id int64
	err := s.DB.Transact(ctx, func(tx *db.DB) error {
		var email, lang string
		err := tx.QueryRow(ctx, `SELECT email, lang FROM cabinets WHERE id = $1`, cabinetID).Scan(&email, &lang)
		if err == sql.ErrNoRows {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		if err != nil {
			return err
		}
		err = tx.WriteRow(ctx, `INSERT INTO messages (cabinet_id, author_id, about, subject, body, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, cabinetID, staffID, d.About, d.Subject, d.Body, now).Scan(&id)
		if err != nil {
			return err
		}
		by.Action, by.Object, by.Detail = "message.send", "cabinet:"+strconv.FormatInt(cabinetID, 10), "message:"+strconv.FormatInt(id, 10)
		if err := audit.Record(ctx, tx, now, by); err != nil {
			return err
		}
		return s.Jobs.Mail(ctx, tx, "message_received", lang, email, nil, nil)
	})
	if err != nil {
		return 0, fmt.Errorf("message.Send: %w", err)
	}
	return id, nil
}

const columns = `m.id, m.cabinet_id, s.name, m.about, m.subject, m.body, m.created_at, m.read_at`
const from = ` FROM messages m JOIN staff s ON s.id = m.author_id`

func scanAll(rows *sql.Rows) ([]Message, error) {
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		var read sql.NullTime
		if err := rows.Scan(&m.ID, &m.CabinetID, &m.Author, &m.About, &m.Subject, &m.Body, &m.CreatedAt, &read); err != nil {
			return nil, err
		}
		if read.Valid {
			m.ReadAt = &read.Time
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// List returns a cabinet's messages, unread first, then the newest.
func (s *Service) List(ctx context.Context, cabinetID int64) ([]Message, error) {
	rows, err := s.DB.Query(ctx, `SELECT `+columns+from+` WHERE m.cabinet_id = $1
		ORDER BY CASE WHEN m.read_at IS NULL THEN 0 ELSE 1 END, m.id DESC`, cabinetID)
	if err != nil {
		return nil, fmt.Errorf("message.List: %w", err)
	}
	msgs, err := scanAll(rows)
	if err != nil {
		return nil, fmt.Errorf("message.List: %w", err)
	}
	return msgs, nil
}

// Open returns a message of the cabinet — the ownership check — and marks
// it read the first time. Another cabinet's message is NotFound.
func (s *Service) Open(ctx context.Context, cabinetID, id int64, by audit.Event) (Message, error) {
	now := s.Now().UTC()
	var m Message
	err := s.DB.Transact(ctx, func(tx *db.DB) error {
		rows, err := tx.Query(ctx, `SELECT `+columns+from+` WHERE m.cabinet_id = $1 AND m.id = $2`, cabinetID, id)
		if err != nil {
			return err
		}
		msgs, err := scanAll(rows)
		if err != nil {
			return err
		}
		if len(msgs) == 0 {
			return apperr.New(apperr.NotFound, "error.not_found")
		}
		m = msgs[0]
		if m.ReadAt != nil {
			return nil
		}
		res, err := tx.Exec(ctx, `UPDATE messages SET read_at = $1 WHERE id = $2 AND read_at IS NULL`, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			m.ReadAt = &now
			by.Action, by.Object, by.Detail = "message.read", "cabinet:"+strconv.FormatInt(cabinetID, 10), "message:"+strconv.FormatInt(id, 10)
			return audit.Record(ctx, tx, now, by)
		}
		return nil
	})
	return m, err
}
