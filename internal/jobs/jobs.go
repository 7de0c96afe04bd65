// Package jobs runs background work on River, in the same database as the
// business data: a job is inserted in the transaction of the change that
// causes it, so it exists exactly when the change committed, and survives
// crashes and restarts until it succeeds.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/mail"
	"github.com/emgek/emgek/internal/token"
)

// Backoff is the retry policy: Base doubled per attempt up to Max, with
// jitter. Tests inject a short one so they do not wait River's default.
type Backoff struct {
	Base, Max time.Duration
}

// DefaultBackoff retries after 10 s, 20 s, … up to every 30 minutes; with
// MaxAttempts it keeps trying for about two days.
var DefaultBackoff = Backoff{Base: 10 * time.Second, Max: 30 * time.Minute}

// NextRetry implements river.ClientRetryPolicy.
func (b Backoff) NextRetry(job *rivertype.JobRow) time.Time {
	d := b.Base
	for i := 1; i < job.Attempt && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	d += time.Duration(rand.Int64N(int64(d)/5 + 1))
	return time.Now().Add(d)
}

// Config configures the queue.
type Config struct {
	Log          *slog.Logger
	Sender       mail.Sender
	Mail         *mail.Renderer
	Backoff      Backoff
	PollInterval time.Duration // how often workers look for new jobs
	Domain       string        // the portal's host name, for Message-IDs
	Now          func() time.Time
	Sweeps       []Sweep
}

// Queue inserts and works jobs.
type Queue struct {
	client *river.Client[*sql.Tx]
	mail   *mail.Renderer
}

var jobsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "emgek_jobs_total", Help: "Background jobs worked (a batch's emails counted one by one), by kind and outcome.",
}, []string{"kind", "outcome"})

// Collectors are the job metrics, registered once by the app.
func Collectors() []prometheus.Collector { return []prometheus.Collector{jobsTotal} }

// New builds the queue on d (not yet working: call Start).
func New(d *db.DB, cfg Config) (*Queue, error) {
	workers := river.NewWorkers()
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	mw := &mailWorker{db: d, sender: cfg.Sender, mail: cfg.Mail, now: cfg.Now, domain: cfg.Domain}
	river.AddWorker(workers, mw)
	river.AddWorker(workers, &mailBatchWorker{mail: mw})
	sweeps := map[string]Sweep{}
	for _, s := range cfg.Sweeps {
		sweeps[s.Name] = s
	}
	river.AddWorker(workers, &sweepWorker{sweeps: sweeps})
	if cfg.Backoff.Base == 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Second
	}
	// A fetch takes at most as many jobs as there are free workers, and
	// fetches are FetchCooldown apart: 4 workers and 100 ms sent at most 40
	// emails a second, far behind a campaign's submissions (each sends one).
	// Single emails wait on the relay, not on the CPU: 16 workers fetched
	// every 25 ms keep up with several hundred a second; batches have a
	// queue of their own (QueueMail).
	rc := &river.Config{
		Logger:               cfg.Log,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 16}, QueueMail: {MaxWorkers: mailWorkers}},
		Workers:              workers,
		RetryPolicy:          cfg.Backoff,
		MaxAttempts:          100,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, 25*time.Millisecond),
		JobTimeout:           time.Minute,
		RescueStuckJobsAfter: 2 * time.Minute,
		PollOnly:             true,
		PeriodicJobs:         periodic(cfg.Sweeps),
	}
	var driver riverdriver.Driver[*sql.Tx]
	if d.Dialect == db.SQLite {
		driver = riversqlite.New(d.Writer())
	} else {
		driver = riverdatabasesql.New(d.Writer())
	}
	c, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("jobs.New: %w", err)
	}
	return &Queue{client: c, mail: cfg.Mail}, nil
}

// Start works jobs until Stop.
func (q *Queue) Start(ctx context.Context) error { return q.client.Start(ctx) }

// Stop waits for running jobs to finish (or ctx to end).
func (q *Queue) Stop(ctx context.Context) error { return q.client.Stop(ctx) }

// insert adds a job in tx's transaction (or on its own outside one).
func (q *Queue) insert(ctx context.Context, tx *db.DB, args river.JobArgs) error {
	var err error
	if t := tx.Tx(); t != nil {
		_, err = q.client.InsertTx(ctx, t, args, nil)
	} else {
		_, err = q.client.Insert(ctx, args, nil)
	}
	if err != nil {
		return fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return nil
}

// Link asks the mail job to put a fresh single-use link into the email
// (as .D.Link): the token is issued when the email is sent, so no usable
// token is ever stored in the queue, only its hash in the tokens table.
type Link struct {
	Purpose token.Purpose `json:"purpose"`
	Subject token.Subject `json:"subject"`
	TTL     time.Duration `json:"ttl"`
	Prefix  string        `json:"prefix"` // the URL the token is appended to
}

// Mail queues the email name for to in lang, in tx's transaction; data
// fills its templates, link (may be nil) adds a single-use link.
func (q *Queue) Mail(ctx context.Context, tx *db.DB, name, lang, to string, data map[string]any, link *Link) error {
	if !q.mail.Has(name) {
		return fmt.Errorf("jobs.Mail: no email template %q", name)
	}
	return q.insert(ctx, tx, mailArgs{Template: name, Lang: lang, To: to, Data: data, Link: link})
}

type mailArgs struct {
	Template string         `json:"template"`
	Lang     string         `json:"lang"`
	To       string         `json:"to"`
	Data     map[string]any `json:"data,omitempty"`
	Link     *Link          `json:"link,omitempty"`
	// MessageID, when set, is the email's Message-ID: a batch's email
	// queued alone keeps the one the batch gave it.
	MessageID string `json:"message_id,omitempty"`
}

func (mailArgs) Kind() string { return "send_mail" }

// QueueMail is the queue of the batches of emails (MailMany): the
// "received" emails of a burst of submissions. mailWorkers work it, fewer
// than the default queue's: each batch is fifty emails rendered, written
// and sent back to back, and sixteen at once took a third of the portal's
// CPU from the requests that made them — the slowest submissions waited
// for the emails of the ones before. Four send a few thousand a second
// when the portal is idle (over a relay on loopback); under a burst that
// fills both cores they fall behind and catch up when it ends
// (docs/decisions.md).
const (
	QueueMail   = "mail"
	mailWorkers = 4
)

type mailWorker struct {
	river.WorkerDefaults[mailArgs]
	db     *db.DB
	sender mail.Sender
	mail   *mail.Renderer
	now    func() time.Time
	domain string // of Message-IDs
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[mailArgs]) error {
	a := job.Args
	data := map[string]any{}
	for k, v := range a.Data {
		data[k] = v
	}
	if a.Link != nil {
		// Each attempt issues a new token, which voids the earlier unsent
		// one: only the link in the email that went out works.
		err := w.db.Transact(ctx, func(tx *db.DB) error {
			raw, err := token.Issue(ctx, tx, a.Link.Purpose, a.Link.Subject, a.Link.TTL, w.now())
			data["Link"] = a.Link.Prefix + raw
			return err
		})
		if err != nil {
			return err
		}
	}
	// The same on every attempt of this job, and unique across databases.
	id := a.MessageID
	if id == "" {
		id = fmt.Sprintf("job-%d-%d@%s", job.ID, job.CreatedAt.UnixNano(), w.domain)
	}
	return w.deliver(ctx, job.Kind, a.Template, a.Lang, a.To, data, id)
}

// deliver renders an email and sends it with the Message-ID id.
func (w *mailWorker) deliver(ctx context.Context, kind, template, lang, to string, data map[string]any, id string) error {
	m, err := w.mail.Render(template, lang, to, wholeNumbers(data))
	if err != nil {
		return err
	}
	m.ID = id
	if err := w.sender.Send(ctx, m); err != nil {
		jobsTotal.WithLabelValues(kind, "error").Inc()
		return err
	}
	jobsTotal.WithLabelValues(kind, "ok").Inc()
	return nil
}

// wholeNumbers gives back as integers the numbers of an email's data that
// are whole: the job's arguments went through JSON, which made every number
// a float64, and a template prints a float64 id of a million as
// 1.000002e+06 — in the link to the application. It changes data in place.
func wholeNumbers(data map[string]any) map[string]any {
	for k, v := range data {
		data[k] = wholeNumber(v)
	}
	return data
}

func wholeNumber(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case map[string]any:
		return wholeNumbers(x)
	case []any:
		for i := range x {
			x[i] = wholeNumber(x[i])
		}
	}
	return v
}
