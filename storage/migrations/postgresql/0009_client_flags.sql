-- A client's flags as rows of their own (as SQLite's 0009).
CREATE TABLE client_flags (
    client_id bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    flag      text NOT NULL,
    PRIMARY KEY (client_id, flag)
);
CREATE INDEX client_flags_flag ON client_flags(flag, client_id);

INSERT INTO client_flags (client_id, flag)
SELECT id, 'dup_nik' FROM clients WHERE (',' || flags || ',') LIKE '%,dup_nik,%';
INSERT INTO client_flags (client_id, flag)
SELECT id, 'nik_mismatch' FROM clients WHERE (',' || flags || ',') LIKE '%,nik_mismatch,%';

ALTER TABLE clients DROP COLUMN flags;
