-- Issue 6: the centre's staff run the program from chat. Broadcasts with their delivery report,
-- the log of scheduled monthly reports, and the indexes the report's aggregates lean on.

-- A broadcast is written as a draft (the preview), then confirmed once: the compare-and-set on
-- status makes a double tap on "Send" queue it once. Each recipient gets one outbox row keyed
-- 'broadcast:<id>:<person id>', so the delivery report is counted from the outbox itself.
CREATE TABLE broadcasts (
    id           INTEGER PRIMARY KEY,
    created_by   INTEGER NOT NULL REFERENCES people(id),
    audience     TEXT NOT NULL CHECK (audience IN ('all', 'province', 'team')),
    audience_ref TEXT,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'done', 'cancelled')),
    recipients   INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    sent_at      TEXT,
    reported_at  TEXT
);
CREATE INDEX broadcasts_status ON broadcasts(status);

-- One row per month whose report went out on schedule: the period key makes the job idempotent
-- across restarts and across two instances running it at once.
CREATE TABLE report_runs (
    period TEXT PRIMARY KEY,
    ran_at TEXT NOT NULL
);

-- The monthly report reads the year's proposals, and the audit trail of their stages proposal by
-- proposal in time order: this covering index hands it over already sorted, with no table lookups.
CREATE INDEX proposals_period ON proposals(period_year, period_month);
CREATE INDEX audit_entity_at ON audit_events(entity, entity_id, at, action);
