-- An application's "received" email is queued moments after it is sent,
-- in batches, instead of inside the sending transaction: the case is
-- marked, and casework.SendConfirmations queues the emails of the marked
-- cases and clears the mark in one transaction.
-- +goose Up
ALTER TABLE cases ADD COLUMN confirm_pending BOOLEAN;
CREATE INDEX cases_confirm_idx ON cases (id) WHERE confirm_pending;

-- +goose Down
DROP INDEX cases_confirm_idx;
ALTER TABLE cases DROP COLUMN confirm_pending;
