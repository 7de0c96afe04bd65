-- Documents attached to an application (a case), e.g. when the ministry
-- asks for more.
-- +goose Up
ALTER TABLE documents ADD COLUMN case_id INTEGER REFERENCES cases (id);
CREATE INDEX documents_case_idx ON documents (case_id);

-- +goose Down
DROP INDEX documents_case_idx;
ALTER TABLE documents DROP COLUMN case_id;
