-- Issue 16.5 (as SQLite's 0019): complaints (/pengaduan) and the complaint officer's role.
-- PostgreSQL changes the grants' CHECK constraint in place (SQLite rebuilds the table).
ALTER TABLE grants DROP CONSTRAINT grants_role_check;
ALTER TABLE grants ADD CONSTRAINT grants_role_check
    CHECK (role IN ('operator', 'pic', 'finance', 'head', 'admin', 'auditor', 'complaint_officer'));

-- One complaint; description, complainant (NULL when anonymous) and outcome are sealed.
CREATE TABLE complaints (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket         text NOT NULL UNIQUE,
    category       text NOT NULL,
    anonymous      integer NOT NULL,
    source         text NOT NULL DEFAULT 'complainant',
    complainant    text,
    secret_digest  text,
    proposal_id    bigint REFERENCES proposals(id),
    ipwl_id        bigint REFERENCES ipwl(id),
    description    text NOT NULL,
    status         text NOT NULL CHECK (status IN ('open', 'in_progress', 'closed')),
    submitted_at   timestamptz NOT NULL,
    due_at         timestamptz NOT NULL,
    reminded_at    timestamptz,
    escalated_at   timestamptz,
    sp4n_reference text,
    outcome        text,
    closed_at      timestamptz,
    closed_by      bigint REFERENCES people(id),
    CHECK ((anonymous = 1) = (complainant IS NULL))
);
CREATE INDEX complaints_open ON complaints(due_at) WHERE status <> 'closed';

CREATE TABLE complaint_actions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    complaint_id bigint NOT NULL REFERENCES complaints(id),
    kind         text NOT NULL,
    text         text NOT NULL,
    by_person    bigint NOT NULL REFERENCES people(id),
    at           timestamptz NOT NULL
);
CREATE INDEX complaint_actions_of ON complaint_actions(complaint_id);

CREATE TABLE complaint_files (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    complaint_id     bigint NOT NULL REFERENCES complaints(id),
    telegram_file_id text NOT NULL,
    file_name        text,
    mime_type        text,
    is_photo         integer NOT NULL,
    size             bigint NOT NULL,
    stored_path      text,
    created_at       timestamptz NOT NULL
);
CREATE INDEX complaint_files_of ON complaint_files(complaint_id);
