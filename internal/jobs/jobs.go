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
}

// Queue inserts and works jobs.
type Queue struct {
	client *river.Client[*sql.Tx]
	mail   *mail.Renderer
}

var jobsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "emgek_jobs_total", Help: "Background jobs worked, by kind and outcome.",
}, []string{"kind", "outcome"})

// Collectors are the job metrics, registered once by the app.
func Collectors() []prometheus.Collector { return []prometheus.Collector{jobsTotal} }

// New builds the queue on d (not yet working: call Start).
func New(d *db.DB, cfg Config) (*Queue, error) {
	workers := river.NewWorkers()
	river.AddWorker(workers, &mailWorker{sender: cfg.Sender, domain: cfg.Domain})
	if cfg.Backoff.Base == 0 {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Second
	}
	rc := &river.Config{
		Logger:               cfg.Log,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
		Workers:              workers,
		RetryPolicy:          cfg.Backoff,
		MaxAttempts:          100,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, 100*time.Millisecond),
		JobTimeout:           time.Minute,
		RescueStuckJobsAfter: 2 * time.Minute,
		PollOnly:             true,
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

// Mail renders the email name in lang and queues it in tx.
func (q *Queue) Mail(ctx context.Context, tx *db.DB, name, lang, to string, data map[string]any) error {
	m, err := q.mail.Render(name, lang, to, data)
	if err != nil {
		return err
	}
	return q.insert(ctx, tx, mailArgs{Message: m, Template: name})
}

type mailArgs struct {
	Message  mail.Message `json:"message"`
	Template string       `json:"template"`
}

func (mailArgs) Kind() string { return "send_mail" }

type mailWorker struct {
	river.WorkerDefaults[mailArgs]
	sender mail.Sender
	domain string // of Message-IDs
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[mailArgs]) error {
	m := job.Args.Message
	// The same on every attempt of this job, and unique across databases.
	m.ID = fmt.Sprintf("<job-%d-%d@%s>", job.ID, job.CreatedAt.UnixNano(), w.domain)
	if err := w.sender.Send(ctx, m); err != nil {
		jobsTotal.WithLabelValues(job.Kind, "error").Inc()
		return err
	}
	jobsTotal.WithLabelValues(job.Kind, "ok").Inc()
	return nil
}
