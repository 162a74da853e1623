-- Issue 16.1 (as SQLite's 0017): pairs of clients with the same NIK at two IPWL, from client_id's
-- side; hard holds the client out of the SK annex and the transfers until adjudicated.
CREATE TABLE nik_conflicts (
    client_id       bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    other_client_id bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('hard', 'soft')),
    stage           text NOT NULL,
    found_at        timestamptz NOT NULL,
    adjudicated_by  bigint REFERENCES people(id),
    adjudicated_at  timestamptz,
    reason          text,
    PRIMARY KEY (client_id, other_client_id)
);
CREATE INDEX nik_conflicts_other ON nik_conflicts(other_client_id);
