-- A client's flags ("dup_nik": the NIK is also in another IPWL's proposal this year) as rows of
-- their own instead of a comma-joined text searched with LIKE: the staff lists count them by
-- index, the same SQL on SQLite and PostgreSQL (storage/migrations/postgresql/0009).
CREATE TABLE client_flags (
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    flag      TEXT NOT NULL,
    PRIMARY KEY (client_id, flag)
);
CREATE INDEX client_flags_flag ON client_flags(flag, client_id);

-- Carry over the flags already given ("dup_nik", and "nik_mismatch" from the intake).
INSERT INTO client_flags (client_id, flag)
SELECT id, 'dup_nik' FROM clients WHERE (',' || flags || ',') LIKE '%,dup_nik,%';
INSERT INTO client_flags (client_id, flag)
SELECT id, 'nik_mismatch' FROM clients WHERE (',' || flags || ',') LIKE '%,nik_mismatch,%';

ALTER TABLE clients DROP COLUMN flags;
