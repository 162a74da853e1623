-- Issue 17.8: a tamper-evident audit trail. Each event is sealed when its transaction commits: seq
-- is its place in the chain, prev_hash the hash of the event before it, hash a SHA-256 over its
-- content and prev_hash (storage.audit_chain). A typed reason is sealed through reason_digest (a
-- SHA-256 of reason_salt and the reason): an erasure blanks reason and reason_salt and the chain
-- still verifies, and the digest left behind cannot be turned back into the text.
ALTER TABLE audit_events ADD COLUMN seq INTEGER;
ALTER TABLE audit_events ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_events ADD COLUMN hash TEXT;
ALTER TABLE audit_events ADD COLUMN reason_salt TEXT;
ALTER TABLE audit_events ADD COLUMN reason_digest TEXT;
CREATE UNIQUE INDEX audit_seq ON audit_events(seq);

-- Issue 17.8: a grant may lapse (valid_until, NULL: until revoked). An invite carries the expiry
-- the admin chose into the grant it makes; expiry_reminded_at: the admins were told it is near.
ALTER TABLE grants ADD COLUMN valid_until TEXT;
ALTER TABLE grants ADD COLUMN expiry_reminded_at TEXT;
ALTER TABLE invites ADD COLUMN grant_valid_until TEXT;
CREATE INDEX grants_valid_until ON grants(valid_until) WHERE revoked_at IS NULL AND valid_until IS NOT NULL;

-- Issue 17.6: each client's consent (UU 27/2022): who recorded it and when, the version of the
-- privacy notice shown (bot.domain.consent.NOTICE_VERSION), the guardian of a client under 18
-- (guardian_name and guardian_relation are personal data), and the signed form (an attachment of
-- purpose 'consent' of the client; gone with the client's other files at an erasure). A withdrawal
-- keeps the row (withdrawn_at/by) and starts the erasure rule.
CREATE TABLE consents (
    id                 INTEGER PRIMARY KEY,
    client_id          INTEGER NOT NULL UNIQUE REFERENCES clients(id) ON DELETE CASCADE,
    proposal_id        INTEGER NOT NULL REFERENCES proposals(id),
    notice_version     TEXT NOT NULL,
    recorded_by        INTEGER NOT NULL REFERENCES people(id),
    recorded_at        TEXT NOT NULL,
    guardian_name      TEXT,
    guardian_relation  TEXT,
    form_attachment_id INTEGER,
    withdrawn_at       TEXT,
    withdrawn_by       INTEGER REFERENCES people(id)
);
CREATE INDEX consents_proposal ON consents(proposal_id);

-- Issue 17.7: retention. A client record due for erasure (its proposal closed longer than the
-- retention period, or its consent withdrawn and the rule now allowing it) is first announced to
-- the admins (the dry run), then erased by the job once erase_after has passed. No personal data.
CREATE TABLE retention_notices (
    client_id    INTEGER PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    proposal_id  INTEGER NOT NULL REFERENCES proposals(id),
    announced_at TEXT NOT NULL,
    erase_after  TEXT NOT NULL,
    erased_at    TEXT
);
CREATE INDEX retention_notices_due ON retention_notices(erase_after) WHERE erased_at IS NULL;
