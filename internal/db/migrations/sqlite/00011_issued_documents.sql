-- Documents issued as PDF (extracts, permits, cards): the bytes as issued
-- (in blob storage) and their SHA-256, which the public verification page
-- shows. One per document, case and language: downloading again gives the
-- same bytes.
-- +goose Up
CREATE TABLE issued_documents (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    lang TEXT NOT NULL,
    sha256 TEXT NOT NULL DEFAULT '',
    blob_key TEXT NOT NULL DEFAULT '',
    issued_at TIMESTAMP NOT NULL,
    UNIQUE (kind, case_id, lang)
);

-- +goose Down
DROP TABLE issued_documents;
