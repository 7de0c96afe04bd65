-- A sent application waits for its "received" email in a table of its
-- own instead of as a mark on its case: clearing the mark rewrote the
-- case's row and, on PostgreSQL, every index of it (an update of a column
-- a partial index looks at is never heap-only) — as costly as inserting
-- the case. The mark's column stays for one release: instances of the
-- release before, still running during a rolling upgrade, set it, and
-- casework.SendConfirmations moves such marks onto the list.
-- +goose Up
CREATE TABLE case_confirmations (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id)
);
INSERT INTO case_confirmations (case_id) SELECT id FROM cases WHERE confirm_pending;
UPDATE cases SET confirm_pending = NULL WHERE confirm_pending;

-- +goose Down
UPDATE cases SET confirm_pending = TRUE WHERE id IN (SELECT case_id FROM case_confirmations);
DROP TABLE case_confirmations;
