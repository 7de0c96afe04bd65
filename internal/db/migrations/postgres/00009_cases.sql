-- Cases: every application of every service is a case (ARCHITECTURE.md);
-- the service's own tables hold its details. Numbers like Q-2026-000123
-- come from a counter per service and year.
-- +goose Up
CREATE TABLE cases (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number TEXT UNIQUE,
    service TEXT NOT NULL,
    cabinet_id BIGINT NOT NULL REFERENCES cabinets (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'documents_requested', 'decided', 'withdrawn',
        'approved', 'rejected', 'issued', 'expired', 'revoked')),
    assignee_id BIGINT REFERENCES staff (id),
    created_at TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ,
    due_at TIMESTAMPTZ,
    decided_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_queue_idx ON cases (service, status, due_at, id);
CREATE INDEX cases_cabinet_idx ON cases (cabinet_id, id);
CREATE INDEX cases_assignee_idx ON cases (assignee_id, status);

CREATE TABLE case_counters (
    service TEXT NOT NULL,
    year INTEGER NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (service, year)
);

-- Public holidays per jurisdiction: due dates count working days. Fixed
-- holidays are loaded here; the movable ones (Orozo Ait, Kurman Ait) are
-- announced each year and added when they are.
CREATE TABLE holidays (
    jurisdiction TEXT NOT NULL CHECK (jurisdiction IN ('KG', 'KZ')),
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (jurisdiction, day)
);
INSERT INTO holidays (jurisdiction, day, name) VALUES
('KG', '2025-01-01', 'New Year'),
('KG', '2025-01-07', 'Orthodox Christmas'),
('KG', '2025-02-23', 'Fatherland Defenders Day'),
('KG', '2025-03-08', 'International Women''s Day'),
('KG', '2025-03-21', 'Nooruz'),
('KG', '2025-04-07', 'Day of the People''s April Revolution'),
('KG', '2025-05-01', 'Labour Day'),
('KG', '2025-05-05', 'Constitution Day'),
('KG', '2025-05-09', 'Victory Day'),
('KG', '2025-08-31', 'Independence Day'),
('KG', '2025-11-07', 'Days of History and Remembrance of Ancestors'),
('KG', '2025-11-08', 'Days of History and Remembrance of Ancestors'),
('KG', '2026-01-01', 'New Year'),
('KG', '2026-01-07', 'Orthodox Christmas'),
('KG', '2026-02-23', 'Fatherland Defenders Day'),
('KG', '2026-03-08', 'International Women''s Day'),
('KG', '2026-03-21', 'Nooruz'),
('KG', '2026-04-07', 'Day of the People''s April Revolution'),
('KG', '2026-05-01', 'Labour Day'),
('KG', '2026-05-05', 'Constitution Day'),
('KG', '2026-05-09', 'Victory Day'),
('KG', '2026-08-31', 'Independence Day'),
('KG', '2026-11-07', 'Days of History and Remembrance of Ancestors'),
('KG', '2026-11-08', 'Days of History and Remembrance of Ancestors'),
('KG', '2027-01-01', 'New Year'),
('KG', '2027-01-07', 'Orthodox Christmas'),
('KG', '2027-02-23', 'Fatherland Defenders Day'),
('KG', '2027-03-08', 'International Women''s Day'),
('KG', '2027-03-21', 'Nooruz'),
('KG', '2027-04-07', 'Day of the People''s April Revolution'),
('KG', '2027-05-01', 'Labour Day'),
('KG', '2027-05-05', 'Constitution Day'),
('KG', '2027-05-09', 'Victory Day'),
('KG', '2027-08-31', 'Independence Day'),
('KG', '2027-11-07', 'Days of History and Remembrance of Ancestors'),
('KG', '2027-11-08', 'Days of History and Remembrance of Ancestors'),
('KG', '2028-01-01', 'New Year'),
('KG', '2028-01-07', 'Orthodox Christmas'),
('KG', '2028-02-23', 'Fatherland Defenders Day'),
('KG', '2028-03-08', 'International Women''s Day'),
('KG', '2028-03-21', 'Nooruz'),
('KG', '2028-04-07', 'Day of the People''s April Revolution'),
('KG', '2028-05-01', 'Labour Day'),
('KG', '2028-05-05', 'Constitution Day'),
('KG', '2028-05-09', 'Victory Day'),
('KG', '2028-08-31', 'Independence Day'),
('KG', '2028-11-07', 'Days of History and Remembrance of Ancestors'),
('KG', '2028-11-08', 'Days of History and Remembrance of Ancestors'),
('KG', '2029-01-01', 'New Year'),
('KG', '2029-01-07', 'Orthodox Christmas'),
('KG', '2029-02-23', 'Fatherland Defenders Day'),
('KG', '2029-03-08', 'International Women''s Day'),
('KG', '2029-03-21', 'Nooruz'),
('KG', '2029-04-07', 'Day of the People''s April Revolution'),
('KG', '2029-05-01', 'Labour Day'),
('KG', '2029-05-05', 'Constitution Day'),
('KG', '2029-05-09', 'Victory Day'),
('KG', '2029-08-31', 'Independence Day'),
('KG', '2029-11-07', 'Days of History and Remembrance of Ancestors'),
('KG', '2029-11-08', 'Days of History and Remembrance of Ancestors'),
('KG', '2030-01-01', 'New Year'),
('KG', '2030-01-07', 'Orthodox Christmas'),
('KG', '2030-02-23', 'Fatherland Defenders Day'),
('KG', '2030-03-08', 'International Women''s Day'),
('KG', '2030-03-21', 'Nooruz'),
('KG', '2030-04-07', 'Day of the People''s April Revolution'),
('KG', '2030-05-01', 'Labour Day'),
('KG', '2030-05-05', 'Constitution Day'),
('KG', '2030-05-09', 'Victory Day'),
('KG', '2030-08-31', 'Independence Day'),
('KG', '2030-11-07', 'Days of History and Remembrance of Ancestors'),
('KG', '2030-11-08', 'Days of History and Remembrance of Ancestors');

-- +goose Down
DROP TABLE holidays;
DROP TABLE case_counters;
DROP TABLE cases;
