-- Issue 16.1, double assistance re-checked when it matters: each pair of clients with the same NIK
-- (matched by the blind index) at two IPWL, as the re-check at verification, validation, the SK and
-- the payment found it, from client_id's side. kind: hard (the other is in an SK or paid this budget
-- year: this client is held out of the SK annex and the transfers) | soft (the other is still under
-- review: a warning). Both sides have a row. An adjudication ("not the same person") is written on
-- both rows: who, when and why; the pair then holds nothing, and a later re-check leaves it alone.
-- No personal data: ids, codes come from joins.
CREATE TABLE nik_conflicts (
    client_id       INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    other_client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('hard', 'soft')),
    stage           TEXT NOT NULL,
    found_at        TEXT NOT NULL,
    adjudicated_by  INTEGER REFERENCES people(id),
    adjudicated_at  TEXT,
    reason          TEXT,
    PRIMARY KEY (client_id, other_client_id)
);
CREATE INDEX nik_conflicts_other ON nik_conflicts(other_client_id);
