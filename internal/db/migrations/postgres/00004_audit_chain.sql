-- The audit log's hash chain: a sealer job gives committed rows a place
-- in the chain (seal_seq) and a hash over their content and the previous
-- row's hash, then records a signed checkpoint of the chain's head.
-- Sealed rows can be neither changed nor deleted.
-- +goose Up
ALTER TABLE audit_events ADD COLUMN seal_seq BIGINT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_events_seal_idx ON audit_events (seal_seq);
CREATE INDEX audit_events_unsealed_idx ON audit_events (id) WHERE seal_seq IS NULL;

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seal_seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seal_seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_checkpoints (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    seal_seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    -- The only update allowed is the sealer's: setting seal_seq and hash
    -- of an unsealed row, every other column unchanged.
    IF TG_OP = 'DELETE' OR OLD.seal_seq IS NOT NULL OR NEW.seal_seq IS NULL OR NEW.hash IS NULL
        OR (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.object, NEW.ip, NEW.detail)
            IS DISTINCT FROM (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.object, OLD.ip, OLD.detail) THEN
        RAISE EXCEPTION 'audit rows are append-only';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- +goose StatementBegin
CREATE FUNCTION audit_checkpoints_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit checkpoints are append-only';
END
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_append_only();

-- +goose Down
DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints;
DROP FUNCTION audit_checkpoints_append_only();
DROP TRIGGER audit_events_append_only ON audit_events;
DROP FUNCTION audit_events_append_only();
DROP TABLE audit_checkpoints;
DROP TABLE audit_head;
DROP INDEX audit_events_unsealed_idx;
DROP INDEX audit_events_seal_idx;
ALTER TABLE audit_events DROP COLUMN hash;
ALTER TABLE audit_events DROP COLUMN seal_seq;
