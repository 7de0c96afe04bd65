-- The quota form sends in one step; its hidden request id makes a second
-- send of the same form (a double click without JavaScript, a browser
-- posting again) find the application the first one made.
-- +goose Up
ALTER TABLE quota_applications ADD COLUMN request_id TEXT;
CREATE UNIQUE INDEX quota_applications_request_idx ON quota_applications (request_id) WHERE request_id IS NOT NULL;

-- +goose Down
DROP INDEX quota_applications_request_idx;
ALTER TABLE quota_applications DROP COLUMN request_id;
