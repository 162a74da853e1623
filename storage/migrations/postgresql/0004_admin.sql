-- Broadcasts, the log of scheduled monthly reports, and the report's indexes (as SQLite's 0004).
CREATE TABLE broadcasts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_by   bigint NOT NULL REFERENCES people(id),
    audience     text NOT NULL CHECK (audience IN ('all', 'province', 'team')),
    audience_ref text,
    body         text NOT NULL,
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sending', 'done', 'cancelled')),
    recipients   integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL,
    sent_at      timestamptz,
    reported_at  timestamptz
);
CREATE INDEX broadcasts_status ON broadcasts(status);

CREATE TABLE report_runs (
    period text PRIMARY KEY,
    ran_at timestamptz NOT NULL
);

CREATE INDEX proposals_period ON proposals(period_year, period_month);
CREATE INDEX audit_entity_at ON audit_events(entity, entity_id, at, action);
