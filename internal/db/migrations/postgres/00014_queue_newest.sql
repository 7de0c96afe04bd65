-- The operators' inbox can list the newest submitted first, a page after
-- a keyset cursor (submitted_at, id): an index in that order answers a
-- page of 50 over a million cases without sorting them.
-- +goose Up
CREATE INDEX cases_newest_idx ON cases (service, status, submitted_at DESC, id DESC);

-- +goose Down
DROP INDEX cases_newest_idx;
