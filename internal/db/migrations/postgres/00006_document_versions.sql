-- Versions of documents: replacing a document adds a version and keeps
-- the previous one (superseded), never deleting it.
-- +goose Up
ALTER TABLE documents ADD COLUMN root_id BIGINT REFERENCES documents (id);
ALTER TABLE documents ADD COLUMN superseded_at TIMESTAMPTZ;
CREATE INDEX documents_root_idx ON documents (root_id);

-- +goose Down
DROP INDEX documents_root_idx;
ALTER TABLE documents DROP COLUMN superseded_at;
ALTER TABLE documents DROP COLUMN root_id;
