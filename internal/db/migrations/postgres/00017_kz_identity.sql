-- Kazakhstan's identities (issue: IIN/BIN, EDS): citizens' cabinets found
-- by IIN, organisations' cabinets by BIN, the people an organisation's
-- head lets act for it, single-use login challenges, and the signatures
-- (CMS) kept with what they sign.
-- +goose Up
ALTER TABLE cabinets DROP CONSTRAINT cabinets_kind_check;
ALTER TABLE cabinets ADD CONSTRAINT cabinets_kind_check CHECK (kind IN ('employer', 'fie', 'nomad', 'citizen'));
ALTER TABLE cabinets ADD COLUMN iin TEXT UNIQUE;
ALTER TABLE cabinets ADD COLUMN bin TEXT UNIQUE;
ALTER TABLE cabinets ADD CONSTRAINT cabinets_iin_check CHECK ((kind = 'citizen') = (iin IS NOT NULL));
ALTER TABLE cabinets ADD CONSTRAINT cabinets_bin_check CHECK (bin IS NULL OR kind = 'employer');

-- The people acting for an organisation: its head (from the head's
-- certificate) and those the head granted a role, by IIN. Name is the
-- certificate's, filled at their first login: granting by IIN shows no one
-- a registry record.
CREATE TABLE organisation_members (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cabinet_id BIGINT NOT NULL REFERENCES cabinets (id) ON DELETE CASCADE,
    iin TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('head', 'signer', 'hr')),
    name TEXT NOT NULL DEFAULT '',
    granted_by BIGINT REFERENCES organisation_members (id),
    granted_at TIMESTAMPTZ NOT NULL,
    withdrawn_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX organisation_members_current_idx ON organisation_members (cabinet_id, iin) WHERE withdrawn_at IS NULL;
CREATE INDEX organisation_members_iin_idx ON organisation_members (iin) WHERE withdrawn_at IS NULL;

-- A login challenge: random content to be signed once, within minutes.
CREATE TABLE eds_challenges (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);

-- A verified signature: exactly what was signed (canonical JSON), the CMS
-- as received, and who the certificate said signed it.
CREATE TABLE signatures (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    signed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX signatures_object_idx ON signatures (object, signed_at);

-- +goose Down
DROP TABLE signatures;
DROP TABLE eds_challenges;
DROP TABLE organisation_members;
ALTER TABLE cabinets DROP CONSTRAINT cabinets_bin_check;
ALTER TABLE cabinets DROP CONSTRAINT cabinets_iin_check;
ALTER TABLE cabinets DROP COLUMN bin;
ALTER TABLE cabinets DROP COLUMN iin;
