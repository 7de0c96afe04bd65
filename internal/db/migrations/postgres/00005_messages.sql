-- Messages from the ministry to a cabinet (SERVICES.md S6).
-- +goose Up
CREATE TABLE messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cabinet_id BIGINT NOT NULL REFERENCES cabinets (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES staff (id),
    about TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    read_at TIMESTAMPTZ
);
CREATE INDEX messages_cabinet_idx ON messages (cabinet_id, id);

-- +goose Down
DROP TABLE messages;
