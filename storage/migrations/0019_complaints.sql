-- Issue 16.5: complaints (/pengaduan). Anyone who started the bot may file one, named or
-- anonymous; only the centre's complaint officers (a new role) read them.
--
-- SQLite cannot change the grants' CHECK constraint in place: the table is rebuilt with the same
-- rows (as in 0012), now allowing 'complaint_officer'.
CREATE TABLE grants_new (
    id                 INTEGER PRIMARY KEY,
    person_id          INTEGER NOT NULL REFERENCES people(id),
    role               TEXT NOT NULL CHECK (role IN ('operator', 'pic', 'finance', 'head', 'admin', 'auditor',
                                                     'complaint_officer')),
    ipwl_id            INTEGER REFERENCES ipwl(id),
    team_id            INTEGER REFERENCES pic_teams(id),
    granted_at         TEXT NOT NULL,
    revoked_at         TEXT,
    granted_by         INTEGER REFERENCES people(id),
    valid_until        TEXT,
    expiry_reminded_at TEXT,
    CHECK ((role = 'operator') = (ipwl_id IS NOT NULL)),
    CHECK ((role = 'pic') = (team_id IS NOT NULL))
);
INSERT INTO grants_new (id, person_id, role, ipwl_id, team_id, granted_at, revoked_at, granted_by, valid_until,
                        expiry_reminded_at)
    SELECT id, person_id, role, ipwl_id, team_id, granted_at, revoked_at, granted_by, valid_until,
           expiry_reminded_at FROM grants;
DROP TABLE grants;
ALTER TABLE grants_new RENAME TO grants;
CREATE INDEX grants_person ON grants(person_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_ipwl ON grants(ipwl_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_team ON grants(team_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_valid_until ON grants(valid_until) WHERE revoked_at IS NULL AND valid_until IS NOT NULL;

-- One complaint. ticket: the number the complainant is given. description, complainant (the
-- person's id, Telegram id and name as JSON; NULL when anonymous: no link to the Telegram user at
-- all) and outcome are sealed. secret_digest: an anonymous complainant's status check (a scrypt of
-- the secret shown once). due_at: the response deadline of its category (working days); the
-- officers are reminded before it (reminded_at) and the head is told once it passed without an
-- answer (escalated_at). A complaint opened by the bot itself (a post-payment check that did not
-- match) has source 'payment_check'.
CREATE TABLE complaints (
    id             INTEGER PRIMARY KEY,
    ticket         TEXT NOT NULL UNIQUE,
    category       TEXT NOT NULL,
    anonymous      INTEGER NOT NULL,
    source         TEXT NOT NULL DEFAULT 'complainant',
    complainant    TEXT,
    secret_digest  TEXT,
    proposal_id    INTEGER REFERENCES proposals(id),
    ipwl_id        INTEGER REFERENCES ipwl(id),
    description    TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'closed')),
    submitted_at   TEXT NOT NULL,
    due_at         TEXT NOT NULL,
    reminded_at    TEXT,
    escalated_at   TEXT,
    sp4n_reference TEXT,
    outcome        TEXT,
    closed_at      TEXT,
    closed_by      INTEGER REFERENCES people(id),
    CHECK ((anonymous = 1) = (complainant IS NULL))
);
CREATE INDEX complaints_open ON complaints(due_at) WHERE status <> 'closed';

-- What an officer did: a note of an action taken, the SP4N-LAPOR! reference, the closing outcome.
-- text is sealed (it may name people).
CREATE TABLE complaint_actions (
    id           INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    by_person    INTEGER NOT NULL REFERENCES people(id),
    at           TEXT NOT NULL
);
CREATE INDEX complaint_actions_of ON complaint_actions(complaint_id);

-- The complainant's attachments: the stored (sealed) file and Telegram's id to send it again to an
-- officer. file_name is sealed (a photo is often named after a person).
CREATE TABLE complaint_files (
    id               INTEGER PRIMARY KEY,
    complaint_id     INTEGER NOT NULL REFERENCES complaints(id),
    telegram_file_id TEXT NOT NULL,
    file_name        TEXT,
    mime_type        TEXT,
    is_photo         INTEGER NOT NULL,
    size             INTEGER NOT NULL,
    stored_path      TEXT,
    created_at       TEXT NOT NULL
);
CREATE INDEX complaint_files_of ON complaint_files(complaint_id);
