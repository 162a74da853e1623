-- Issue 17.8 (as SQLite's 0015): the audit chain (seq, prev_hash, hash; a reason sealed through
-- reason_digest so an erasure can blank it), grants that lapse (valid_until) and their reminder.
ALTER TABLE audit_events ADD COLUMN seq bigint;
ALTER TABLE audit_events ADD COLUMN prev_hash text;
ALTER TABLE audit_events ADD COLUMN hash text;
ALTER TABLE audit_events ADD COLUMN reason_salt text;
ALTER TABLE audit_events ADD COLUMN reason_digest text;
CREATE UNIQUE INDEX audit_seq ON audit_events(seq);

ALTER TABLE grants ADD COLUMN valid_until timestamptz;
ALTER TABLE grants ADD COLUMN expiry_reminded_at timestamptz;
ALTER TABLE invites ADD COLUMN grant_valid_until timestamptz;
CREATE INDEX grants_valid_until ON grants(valid_until) WHERE revoked_at IS NULL AND valid_until IS NOT NULL;

-- Issue 17.6 (as SQLite's 0015): each client's consent; guardian_name and guardian_relation are
-- personal data; the signed form is an attachment of purpose 'consent'.
CREATE TABLE consents (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id          bigint NOT NULL UNIQUE REFERENCES clients(id) ON DELETE CASCADE,
    proposal_id        bigint NOT NULL REFERENCES proposals(id),
    notice_version     text NOT NULL,
    recorded_by        bigint NOT NULL REFERENCES people(id),
    recorded_at        timestamptz NOT NULL,
    guardian_name      text,
    guardian_relation  text,
    form_attachment_id bigint,
    withdrawn_at       timestamptz,
    withdrawn_by       bigint REFERENCES people(id)
);
CREATE INDEX consents_proposal ON consents(proposal_id);

-- Issue 17.7 (as SQLite's 0015): retention notices (the dry run), then the erasure. No personal data.
CREATE TABLE retention_notices (
    client_id    bigint PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    proposal_id  bigint NOT NULL REFERENCES proposals(id),
    announced_at timestamptz NOT NULL,
    erase_after  timestamptz NOT NULL,
    erased_at    timestamptz
);
CREATE INDEX retention_notices_due ON retention_notices(erase_after) WHERE erased_at IS NULL;
