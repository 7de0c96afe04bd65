// Package mail renders Emgek's emails in the recipient's language (a text
// and an HTML part) and delivers them: over SMTP with go-mail in
// production, into the database's dev outbox (shown at /dev/mail) in
// --dev. Emails are only ever sent by jobs, never from a request.
package mail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	gomail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"

	"github.com/emgek/emgek/internal/db"
)

// Message is one rendered email.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
	// ID is the Message-ID, without its angle brackets (given with them,
	// they are trimmed); the job sets it from its own id so that a retried
	// delivery carries the same id and can be recognised.
	ID string `json:"id,omitempty"`
}

// Sender delivers a message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends through an SMTP server, keeping connections open between
// messages: a connection of its own for every message (connect, greeting,
// STARTTLS, login, quit) was half of what sending an email cost.
type SMTP struct {
	client *gomail.Client // the settings; each connection is a smtp.Client of its own
	from   string
	idle   chan *smtp.Client
	closed atomic.Bool
}

// idleConns bounds the connections kept open: enough for the workers
// that send (internal/jobs: sixteen for single emails, four for batches)
// in the common case that not all of them send at once.
const idleConns = 16

// NewSMTP configures delivery from a URL:
// smtp://[user:password@]host:port[?tls=starttls|tls|none]. The default TLS
// policy is STARTTLS when the server offers it.
func NewSMTP(raw, from string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" {
		return nil, fmt.Errorf("mail: bad SMTP URL")
	}
	port := 25
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("mail: bad SMTP port %q", p)
		}
	}
	// No NOOP before each message to test a kept connection: Send already
	// tries once more on a new one when a kept one turns out dead, and the
	// NOOP was a round trip a message.
	opts := []gomail.Option{gomail.WithPort(port), gomail.WithTimeout(15 * time.Second), gomail.WithoutNoop()}
	switch u.Query().Get("tls") {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pw))
	}
	c, err := gomail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: client: %w", err)
	}
	return &SMTP{client: c, from: from, idle: make(chan *smtp.Client, idleConns)}, nil
}

// Send delivers m; an error means it was not accepted and will be retried.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := s.message(m)
	if err != nil {
		return err
	}
	select {
	case conn := <-s.idle:
		err := s.client.SendWithSMTPClient(conn, msg)
		if msg.IsDelivered() { // accepted, whatever the commands after it answered
			s.keep(conn, err == nil)
			return nil
		}
		s.close(conn)
		var se *gomail.SendError
		if errors.As(err, &se) && se.ErrorCode() >= 500 {
			return fmt.Errorf("mail: send: %w", err) // refused for good: a new connection would not help
		}
		// The kept connection had gone, or the relay ended it (some take
		// a few messages a connection): once more on a new one.
		if msg, err = s.message(m); err != nil {
			return err
		}
	default:
	}
	conn, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("mail: connect: %w", err)
	}
	err = s.client.SendWithSMTPClient(conn, msg)
	if msg.IsDelivered() {
		s.keep(conn, err == nil)
		return nil
	}
	s.close(conn)
	return fmt.Errorf("mail: send: %w", err)
}

// message is m as go-mail sends it.
func (s *SMTP) message(m Message) (*gomail.Msg, error) {
	// Base64, not quoted-printable: in Cyrillic, quoted-printable makes
	// every letter six bytes (base64: under three), and writing it took
	// two thirds longer.
	msg := gomail.NewMsg(gomail.WithEncoding(gomail.EncodingB64))
	if err := msg.From(s.from); err != nil {
		return nil, fmt.Errorf("mail: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("mail: to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.ID != "" {
		msg.SetMessageIDWithValue(strings.Trim(m.ID, "<>")) // go-mail adds the brackets; jobs queued by earlier releases have them
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// keep puts a healthy connection back for the next message; it closes
// one that is not, or when enough are kept, or after Close.
func (s *SMTP) keep(conn *smtp.Client, healthy bool) {
	if !healthy || s.closed.Load() {
		s.close(conn)
		return
	}
	select {
	case s.idle <- conn:
	default:
		s.close(conn)
	}
}

// close ends a connection: politely, or else by closing its socket.
func (s *SMTP) close(conn *smtp.Client) {
	if err := s.client.CloseWithSMTPClient(conn); err != nil {
		_ = conn.Close()
	}
}

// Close ends the connections kept open; connections of sends still under
// way are closed when those end.
func (s *SMTP) Close() {
	s.closed.Store(true)
	for {
		select {
		case conn := <-s.idle:
			s.close(conn)
		default:
			return
		}
	}
}

// Outbox keeps messages in the database for /dev/mail (development only).
type Outbox struct {
	DB  *db.DB
	Now func() time.Time
}

// Send stores m.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	_, err := o.DB.Exec(ctx, `INSERT INTO outbox (recipient, subject, text_body, html_body, created_at) VALUES ($1, $2, $3, $4, $5)`,
		m.To, m.Subject, m.Text, m.HTML, o.Now().UTC())
	if err != nil {
		return fmt.Errorf("mail.Outbox: %w", err)
	}
	return nil
}

// Stored is a message in the dev outbox.
type Stored struct {
	ID      int64
	Message Message
	At      time.Time
}

// List returns the newest messages of the dev outbox first.
func (o *Outbox) List(ctx context.Context, limit int) ([]Stored, error) {
	rows, err := o.DB.Query(ctx, `SELECT id, recipient, subject, text_body, html_body, created_at FROM outbox ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("mail.Outbox.List: %w", err)
	}
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		var s Stored
		if err := rows.Scan(&s.ID, &s.Message.To, &s.Message.Subject, &s.Message.Text, &s.Message.HTML, &s.At); err != nil {
			return nil, fmt.Errorf("mail.Outbox.List: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
