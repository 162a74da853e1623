-- Issue 17 (as SQLite's 0014): clients' personal data sealed at rest (storage/sealing.py). A
-- sealed value is text ("enc1:<key id>:…"), so the birth date and the version snapshot become
-- text columns; the indexes move to the blind index (HMAC-SHA256) of the NIK and account number.
ALTER TABLE clients ALTER COLUMN birth_date TYPE text USING birth_date::text;
ALTER TABLE proposal_versions ALTER COLUMN snapshot TYPE text USING snapshot::text;
-- What a person is typing (an account, a client's answers on a draft) is sealed too.
ALTER TABLE conversations ALTER COLUMN state DROP DEFAULT;
ALTER TABLE conversations ALTER COLUMN state TYPE text USING state::text;
ALTER TABLE proposals ALTER COLUMN draft_cursor TYPE text USING draft_cursor::text;
ALTER TABLE clients ADD COLUMN nik_index text;
DROP INDEX clients_nik;
CREATE INDEX clients_nik_index ON clients(nik_index);
CREATE UNIQUE INDEX clients_proposal_nik_index ON clients(proposal_id, nik_index);
ALTER TABLE bank_accounts ADD COLUMN account_index text;
DROP INDEX bank_accounts_by_number;
CREATE INDEX bank_accounts_by_account_index ON bank_accounts(account_index);

CREATE TABLE sealing_state (
    id         integer PRIMARY KEY CHECK (id = 1),
    plain_rows integer NOT NULL
);
INSERT INTO sealing_state (id, plain_rows)
SELECT 1, 1 WHERE EXISTS (SELECT 1 FROM clients) OR EXISTS (SELECT 1 FROM bank_accounts)
               OR EXISTS (SELECT 1 FROM proposal_versions) OR EXISTS (SELECT 1 FROM attachments)
               OR EXISTS (SELECT 1 FROM conversations) OR EXISTS (SELECT 1 FROM proposals WHERE draft_cursor IS NOT NULL);
CREATE TABLE sealing_keys (
    key_id        text PRIMARY KEY,
    first_used_at timestamptz NOT NULL
);
CREATE TABLE key_rotation (
    table_name text PRIMARY KEY,
    target_key text NOT NULL,
    after_key  text,
    rows_done  bigint NOT NULL DEFAULT 0,
    finished   integer NOT NULL DEFAULT 0
);
