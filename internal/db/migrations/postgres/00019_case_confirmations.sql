-- A sent application waits for its "received" email in a table of its
-- own instead of as a mark on its case: clearing the mark rewrote the
-- case's row and, on PostgreSQL, every index of it (an update of a column
-- a partial index looks at is never heap-only) — as costly as inserting
-- the case.
-- +goose Up
CREATE TABLE case_confirmations (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id)
);
INSERT INTO case_confirmations (case_id) SELECT id FROM cases WHERE confirm_pending;
DROP INDEX cases_confirm_idx;
ALTER TABLE cases DROP COLUMN confirm_pending;

-- +goose Down
ALTER TABLE cases ADD COLUMN confirm_pending BOOLEAN;
CREATE INDEX cases_confirm_idx ON cases (id) WHERE confirm_pending;
UPDATE cases SET confirm_pending = TRUE WHERE id IN (SELECT case_id FROM case_confirmations);
DROP TABLE case_confirmations;
