-- Work permits (SERVICES.md S4): applications for a foreign worker (by an
-- employer) or for oneself (a foreign entrepreneur), the permits issued,
-- their extensions, the quota units approvals take, and the look-ups in
-- state registries made on the way.
-- +goose Up

-- Who looked up whom in which registry, and why. Audit rows refer to a
-- look-up by id, so personal data stays out of the audit trail's text.
CREATE TABLE registry_lookups (
    id INTEGER PRIMARY KEY,
    registry TEXT NOT NULL,
    subject TEXT NOT NULL,
    purpose TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('found', 'not_found', 'unavailable')),
    actor TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX registry_lookups_subject_idx ON registry_lookups (registry, subject, at);

CREATE TABLE permits (
    case_id INTEGER PRIMARY KEY REFERENCES cases (id),
    applicant TEXT NOT NULL CHECK (applicant IN ('employer', 'fie')),
    -- The holder as the registry knows them, copied when the draft starts.
    doc_country TEXT NOT NULL REFERENCES countries (code),
    doc_number TEXT NOT NULL,
    surname TEXT NOT NULL,
    given_name TEXT NOT NULL,
    patronymic TEXT NOT NULL DEFAULT '',
    sex TEXT NOT NULL DEFAULT '',
    birth_date TEXT NOT NULL,
    citizenship TEXT NOT NULL REFERENCES countries (code),
    passport_expires TEXT NOT NULL,
    demo BOOLEAN NOT NULL DEFAULT FALSE,
    -- The work: an employer's from one of its approved quota rows, an
    -- entrepreneur's from its region and activity.
    year INTEGER NOT NULL,
    region TEXT NOT NULL DEFAULT '',
    occupation TEXT NOT NULL DEFAULT '',
    quota_row_id INTEGER REFERENCES quota_rows (id),
    workplace TEXT NOT NULL DEFAULT '',
    salary INTEGER NOT NULL DEFAULT 0,
    period_from TEXT NOT NULL DEFAULT '',
    period_to TEXT NOT NULL DEFAULT '',
    reject_reason TEXT NOT NULL DEFAULT '',
    reject_note TEXT NOT NULL DEFAULT '',
    -- The permit, once issued.
    permit_number TEXT UNIQUE,
    valid_from TEXT NOT NULL DEFAULT '',
    valid_until TEXT NOT NULL DEFAULT '',
    issued_at TIMESTAMP,
    revoked_at TIMESTAMP,
    revoke_reason TEXT NOT NULL DEFAULT '',
    revoke_note TEXT NOT NULL DEFAULT '',
    -- Set from approval until the permit ends: one person holds at most
    -- one permit at a time, whichever employer applies.
    holding BOOLEAN NOT NULL DEFAULT FALSE,
    window_open_sent_at TIMESTAMP,
    window_closing_sent_at TIMESTAMP
);
CREATE INDEX permits_holder_idx ON permits (doc_country, doc_number);
CREATE UNIQUE INDEX permits_holding_idx ON permits (doc_country, doc_number) WHERE holding;
CREATE INDEX permits_until_idx ON permits (valid_until) WHERE holding;

-- A unit of quota an approved permit took: from an employer's approved
-- row, or (an entrepreneur, row_id NULL) straight from a ledger cell.
CREATE TABLE quota_uses (
    case_id INTEGER PRIMARY KEY REFERENCES cases (id),
    row_id INTEGER REFERENCES quota_rows (id),
    year INTEGER NOT NULL,
    region TEXT NOT NULL,
    major_group TEXT NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX quota_uses_row_idx ON quota_uses (row_id);
CREATE INDEX quota_uses_cell_idx ON quota_uses (year, region, major_group) WHERE row_id IS NULL;

-- A request to move an issued permit's end date: its own small case.
CREATE TABLE permit_extensions (
    case_id INTEGER PRIMARY KEY REFERENCES cases (id),
    permit_case_id INTEGER NOT NULL REFERENCES permits (case_id),
    current_until TEXT NOT NULL,
    new_until TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    reject_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX permit_extensions_permit_idx ON permit_extensions (permit_case_id);

-- +goose Down
DROP TABLE permit_extensions;
DROP TABLE quota_uses;
DROP TABLE permits;
DROP TABLE registry_lookups;
