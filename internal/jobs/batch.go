package jobs

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"

	"github.com/emgek/emgek/internal/db"
)

// Email is one email of a batch for MailMany.
type Email struct {
	Name string         `json:"name"`
	Lang string         `json:"lang"`
	To   string         `json:"to"`
	Data map[string]any `json:"data,omitempty"`
}

// batchSize is the most emails one batch job sends.
const batchSize = 50

// MailMany queues emails (without links) in tx, a job for each fifty:
// the queue's own writes for a job (fetching it, completing it) cost more
// than sending its email, and a campaign's confirmations come by the
// thousand.
func (q *Queue) MailMany(ctx context.Context, tx *db.DB, emails []Email) error {
	if len(emails) == 0 {
		return nil
	}
	for _, e := range emails {
		if !q.mail.Has(e.Name) {
			return fmt.Errorf("jobs.MailMany: no email template %q", e.Name)
		}
	}
	var params []river.InsertManyParams
	for start := 0; start < len(emails); start += batchSize {
		params = append(params, river.InsertManyParams{Args: mailBatchArgs{Emails: emails[start:min(start+batchSize, len(emails))]}})
	}
	t := tx.Tx()
	if t == nil {
		return fmt.Errorf("jobs.MailMany: not in a transaction")
	}
	if _, err := q.client.InsertManyTx(ctx, t, params); err != nil {
		return fmt.Errorf("jobs: insert %d emails: %w", len(emails), err)
	}
	return nil
}

type mailBatchArgs struct {
	Emails []Email `json:"emails"`
}

func (mailBatchArgs) Kind() string { return "send_mail_batch" }

// InsertOpts puts batches on the mail queue.
func (mailBatchArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: QueueMail} }

// mailBatchWorker sends a batch's emails one after the other. An email
// that does not go (the relay refuses it or is away, or the queue is
// stopping) gets a job of its own, retried as any email is, in the
// transaction that completes the batch: its sent emails are not sent
// again. A process that dies in the middle of a batch sends it again when
// the queue rescues it (at least once, as every email job), each email
// with the Message-ID it had, so receivers can tell.
type mailBatchWorker struct {
	river.WorkerDefaults[mailBatchArgs]
	mail *mailWorker
}

func (w *mailBatchWorker) Work(ctx context.Context, job *river.Job[mailBatchArgs]) error {
	var rest []river.InsertManyParams
	for i, e := range job.Args.Emails {
		// The same on every attempt of this batch, and unique across databases.
		id := fmt.Sprintf("job-%d-%d-%d@%s", job.ID, job.CreatedAt.UnixNano(), i, w.mail.domain)
		if ctx.Err() == nil {
			if err := w.mail.deliver(ctx, job.Kind, e.Name, e.Lang, e.To, e.Data, id); err == nil {
				continue
			}
		}
		rest = append(rest, river.InsertManyParams{Args: mailArgs{Template: e.Name, Lang: e.Lang, To: e.To, Data: e.Data, MessageID: id}})
	}
	ctx = context.WithoutCancel(ctx) // what was sent is recorded even when the queue is stopping
	return w.mail.db.Transact(ctx, func(tx *db.DB) error {
		if len(rest) > 0 {
			if _, err := river.ClientFromContext[*sql.Tx](ctx).InsertManyTx(ctx, tx.Tx(), rest); err != nil {
				return fmt.Errorf("jobs: %d emails of a batch not sent, and not queued alone: %w", len(rest), err)
			}
		}
		_, err := river.JobCompleteTx[riverdriver.Driver[*sql.Tx]](ctx, tx.Tx(), job)
		return err
	})
}
