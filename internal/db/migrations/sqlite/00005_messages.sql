-- Messages from the ministry to a cabinet (SERVICES.md S6).
-- +goose Up
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    cabinet_id INTEGER NOT NULL REFERENCES cabinets (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES staff (id),
    about TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX messages_cabinet_idx ON messages (cabinet_id, id);

-- +goose Down
DROP TABLE messages;
