-- Issue 17: clients' personal data sealed at rest (storage/sealing.py). The sealed columns keep
-- their names and now hold "enc1:<key id>:…" (AES-256-GCM); equality lookups go through a blind
-- index (HMAC-SHA256 of the normalized NIK / account number under its own key), so the indexes
-- move from the values to their blind index. SQL cannot compute either: rows written before this
-- migration are sealed by the bot on its next start (with its keys), flagged by sealing_state.
-- Sealed too: what a person is typing (conversations.state, a draft's cursor with a client's
-- answers), the submitted versions' snapshots and attachments' file names.
ALTER TABLE clients ADD COLUMN nik_index TEXT;
DROP INDEX clients_nik;
CREATE INDEX clients_nik_index ON clients(nik_index);
-- One NIK once per proposal, as UNIQUE (proposal_id, nik) said of the plain NIK (erased rows: NULL).
CREATE UNIQUE INDEX clients_proposal_nik_index ON clients(proposal_id, nik_index);
ALTER TABLE bank_accounts ADD COLUMN account_index TEXT;
DROP INDEX bank_accounts_by_number;
CREATE INDEX bank_accounts_by_account_index ON bank_accounts(account_index);

-- A row here: rows from before sealing are still plain text (sealed on start, then the row goes).
CREATE TABLE sealing_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    plain_rows INTEGER NOT NULL
);
INSERT INTO sealing_state (id, plain_rows)
SELECT 1, 1 WHERE EXISTS (SELECT 1 FROM clients) OR EXISTS (SELECT 1 FROM bank_accounts)
               OR EXISTS (SELECT 1 FROM proposal_versions) OR EXISTS (SELECT 1 FROM attachments)
               OR EXISTS (SELECT 1 FROM conversations) OR EXISTS (SELECT 1 FROM proposals WHERE draft_cursor IS NOT NULL);
-- The data keys values may be sealed under (no key material, only ids): the bot refuses to open
-- the database without each of them, and `keys retire` drops one only when nothing uses it.
CREATE TABLE sealing_keys (
    key_id        TEXT PRIMARY KEY,
    first_used_at TEXT NOT NULL
);
-- A rotation in progress (`atensi-bot keys rotate`), per table: the key it seals under and the
-- last row done, so a rotation stopped half-way (even killed) resumes where it was.
CREATE TABLE key_rotation (
    table_name TEXT PRIMARY KEY,
    target_key TEXT NOT NULL,
    after_key  TEXT,
    rows_done  INTEGER NOT NULL DEFAULT 0,
    finished   INTEGER NOT NULL DEFAULT 0
);
