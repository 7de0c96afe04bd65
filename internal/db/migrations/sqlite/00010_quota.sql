-- Foreign-labour quotas (SERVICES.md S3): the national ledger by cell
-- (year, region, ISCO-08 major group), employers' applications as cases,
-- their rows, and the commission's decisions per row.
-- +goose Up
CREATE TABLE quota_cells (
    year INTEGER NOT NULL,
    region TEXT NOT NULL REFERENCES regions (code),
    major_group TEXT NOT NULL REFERENCES occupations (code),
    quota INTEGER NOT NULL CHECK (quota >= 0),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (year, region, major_group)
);

CREATE TABLE quota_applications (
    case_id INTEGER PRIMARY KEY REFERENCES cases (id),
    year INTEGER NOT NULL,
    region TEXT NOT NULL REFERENCES regions (code),
    protocol_number TEXT NOT NULL DEFAULT '',
    protocol_date TEXT NOT NULL DEFAULT ''
);

CREATE TABLE quota_rows (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES quota_applications (case_id) ON DELETE CASCADE,
    country TEXT NOT NULL REFERENCES countries (code),
    occupation TEXT NOT NULL REFERENCES occupations (code),
    requested INTEGER NOT NULL CHECK (requested > 0),
    justification TEXT NOT NULL DEFAULT '',
    -- The cell the row draws on, kept on the row so the approved sum of a
    -- cell is one indexed query.
    year INTEGER NOT NULL,
    region TEXT NOT NULL,
    major_group TEXT NOT NULL,
    approved INTEGER CHECK (approved IS NULL OR (approved >= 0 AND approved <= requested)),
    cut_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX quota_rows_cell_idx ON quota_rows (year, region, major_group) WHERE approved IS NOT NULL;
CREATE INDEX quota_rows_case_idx ON quota_rows (case_id, id);

-- +goose Down
DROP TABLE quota_rows;
DROP TABLE quota_applications;
DROP TABLE quota_cells;
