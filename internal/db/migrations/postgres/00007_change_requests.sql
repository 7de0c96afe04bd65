-- Changes of a cabinet's data and of its photo or passport page take
-- effect only when an operator approves them (SERVICES.md S2).
-- +goose Up
CREATE TABLE change_requests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cabinet_id BIGINT NOT NULL REFERENCES cabinets (id) ON DELETE CASCADE,
    subject TEXT NOT NULL CHECK (subject IN ('profile', 'photo', 'passport_page', 'registration_certificate')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    changes TEXT NOT NULL DEFAULT '[]',
    document_id BIGINT REFERENCES documents (id),
    old_document_id BIGINT REFERENCES documents (id),
    reason TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    decided_at TIMESTAMPTZ,
    decided_by BIGINT REFERENCES staff (id)
);
CREATE INDEX change_requests_status_idx ON change_requests (status, id);
CREATE INDEX change_requests_cabinet_idx ON change_requests (cabinet_id, id);
-- At most one change of each subject waits for review per cabinet.
CREATE UNIQUE INDEX change_requests_one_pending ON change_requests (cabinet_id, subject) WHERE status = 'pending';

-- A document version waiting for review ('pending') or refused ('rejected').
ALTER TABLE documents ADD COLUMN review TEXT NOT NULL DEFAULT '' CHECK (review IN ('', 'pending', 'rejected'));

-- +goose Down
ALTER TABLE documents DROP COLUMN review;
DROP TABLE change_requests;
