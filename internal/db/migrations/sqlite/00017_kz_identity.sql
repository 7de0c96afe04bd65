-- Kazakhstan's identities (issue: IIN/BIN, EDS): citizens' cabinets found
-- by IIN, organisations' cabinets by BIN, the people an organisation's
-- head lets act for it, single-use login challenges, and the signatures
-- (CMS) kept with what they sign.
--
-- SQLite cannot change a CHECK constraint: the cabinets table is rebuilt
-- with the new kind (SQLite's "make other kinds of table schema changes"
-- procedure: foreign keys off, copy, drop, rename, check).
-- +goose NO TRANSACTION
-- +goose Up
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE cabinets_new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('employer', 'fie', 'nomad', 'citizen')),
    status TEXT NOT NULL CHECK (status IN ('unconfirmed', 'pending', 'active', 'rejected')),
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    phone TEXT NOT NULL,
    lang TEXT NOT NULL,
    reject_reason TEXT NOT NULL DEFAULT '',
    decided_by INTEGER REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    confirmed_at TIMESTAMP,
    decided_at TIMESTAMP,
    password_changed_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    iin TEXT UNIQUE,
    bin TEXT UNIQUE,
    CHECK ((kind = 'citizen') = (iin IS NOT NULL)),
    CHECK (bin IS NULL OR kind = 'employer')
);
INSERT INTO cabinets_new (id, kind, status, email, password_hash, phone, lang, reject_reason, decided_by,
    created_at, confirmed_at, decided_at, password_changed_at, version)
SELECT id, kind, status, email, password_hash, phone, lang, reject_reason, decided_by,
    created_at, confirmed_at, decided_at, password_changed_at, version FROM cabinets;
DROP TABLE cabinets;
ALTER TABLE cabinets_new RENAME TO cabinets;
CREATE INDEX cabinets_status_idx ON cabinets (status, confirmed_at, id);

-- The people acting for an organisation: its head (from the head's
-- certificate) and those the head granted a role, by IIN. Name is the
-- certificate's, filled at their first login: granting by IIN shows no one
-- a registry record.
CREATE TABLE organisation_members (
    id INTEGER PRIMARY KEY,
    cabinet_id INTEGER NOT NULL REFERENCES cabinets (id) ON DELETE CASCADE,
    iin TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('head', 'signer', 'hr')),
    name TEXT NOT NULL DEFAULT '',
    granted_by INTEGER REFERENCES organisation_members (id),
    granted_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP
);
CREATE UNIQUE INDEX organisation_members_current_idx ON organisation_members (cabinet_id, iin) WHERE withdrawn_at IS NULL;
CREATE INDEX organisation_members_iin_idx ON organisation_members (iin) WHERE withdrawn_at IS NULL;

-- A login challenge: random content to be signed once, within minutes.
CREATE TABLE eds_challenges (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

-- A verified signature: exactly what was signed (canonical JSON), the CMS
-- as received, and who the certificate said signed it.
CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    object TEXT NOT NULL,
    action TEXT NOT NULL,
    content TEXT NOT NULL,
    cms TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signer_iin TEXT NOT NULL,
    signer_bin TEXT NOT NULL,
    roles TEXT NOT NULL,
    cert_serial TEXT NOT NULL,
    cert_issuer TEXT NOT NULL,
    actor TEXT NOT NULL,
    signed_at TIMESTAMP NOT NULL
);
CREATE INDEX signatures_object_idx ON signatures (object, signed_at);
COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
DROP TABLE signatures;
DROP TABLE eds_challenges;
DROP TABLE organisation_members;
