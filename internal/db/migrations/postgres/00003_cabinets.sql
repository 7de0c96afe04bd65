-- Cabinets of applicants (employers, foreign individual entrepreneurs,
-- digital nomads), their profiles, single-use email tokens and documents.
-- +goose Up
CREATE TABLE cabinets (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('employer', 'fie', 'nomad')),
    status TEXT NOT NULL CHECK (status IN ('unconfirmed', 'pending', 'active', 'rejected')),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    phone TEXT NOT NULL,
    lang TEXT NOT NULL,
    reject_reason TEXT NOT NULL DEFAULT '',
    decided_by BIGINT REFERENCES staff (id),
    created_at TIMESTAMPTZ NOT NULL,
    confirmed_at TIMESTAMPTZ,
    decided_at TIMESTAMPTZ,
    password_changed_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cabinets_status_idx ON cabinets (status, confirmed_at, id);

CREATE TABLE employers (
    cabinet_id BIGINT PRIMARY KEY REFERENCES cabinets (id) ON DELETE CASCADE,
    org_name TEXT NOT NULL,
    legal_form TEXT NOT NULL,
    inn TEXT NOT NULL,
    registered_address TEXT NOT NULL,
    actual_address TEXT NOT NULL,
    head_name TEXT NOT NULL
);
CREATE INDEX employers_inn_idx ON employers (inn);

CREATE TABLE persons (
    cabinet_id BIGINT PRIMARY KEY REFERENCES cabinets (id) ON DELETE CASCADE,
    surname TEXT NOT NULL,
    given_name TEXT NOT NULL,
    patronymic TEXT NOT NULL DEFAULT '',
    birth_date TEXT NOT NULL,
    citizenship TEXT NOT NULL REFERENCES countries (code),
    passport_no TEXT NOT NULL,
    passport_issued TEXT NOT NULL,
    passport_expires TEXT NOT NULL,
    address TEXT NOT NULL,
    activity TEXT NOT NULL DEFAULT '',
    field_of_work TEXT NOT NULL DEFAULT '',
    clients_abroad TEXT NOT NULL DEFAULT ''
);

CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('confirm_email', 'reset_password', 'staff_invite')),
    cabinet_id BIGINT REFERENCES cabinets (id) ON DELETE CASCADE,
    staff_id BIGINT REFERENCES staff (id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX tokens_cabinet_idx ON tokens (cabinet_id, purpose);

CREATE TABLE documents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cabinet_id BIGINT REFERENCES cabinets (id) ON DELETE CASCADE,
    draft TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('registration_certificate', 'photo', 'passport_page', 'other')),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    CHECK ((cabinet_id IS NULL) <> (draft IS NULL))
);
CREATE INDEX documents_cabinet_idx ON documents (cabinet_id);
CREATE INDEX documents_draft_idx ON documents (draft);

-- +goose Down
DROP TABLE documents;
DROP TABLE tokens;
DROP TABLE persons;
DROP TABLE employers;
DROP TABLE cabinets;
