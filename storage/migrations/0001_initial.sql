-- The whole ATENSI lifecycle: registry, people and roles, proposals with versions, clients,
-- budget, attachments, SK, bank accounts, payments, LPJ, audit, outbox and reminder log.
-- Portable SQL: timestamps are ISO-8601 UTC text, money is INTEGER rupiah, dates are ISO text.

CREATE TABLE pic_teams (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    group_chat_id INTEGER UNIQUE,
    created_at    TEXT NOT NULL
);

CREATE TABLE ipwl (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    province_code   TEXT NOT NULL,
    regency         TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    pks_number      TEXT NOT NULL DEFAULT '',
    pks_valid_from  TEXT,
    pks_valid_until TEXT,
    team_id         INTEGER REFERENCES pic_teams(id),
    active          INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX ipwl_team ON ipwl(team_id);
CREATE INDEX ipwl_province ON ipwl(province_code);

CREATE TABLE people (
    id                   INTEGER PRIMARY KEY,
    telegram_user_id     INTEGER NOT NULL UNIQUE,
    full_name            TEXT NOT NULL,
    locale               TEXT,
    private_chat_started INTEGER NOT NULL DEFAULT 0,
    revoked_at           TEXT,
    created_at           TEXT NOT NULL
);

CREATE TABLE grants (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    role       TEXT NOT NULL CHECK (role IN ('operator', 'pic', 'finance', 'head', 'admin')),
    ipwl_id    INTEGER REFERENCES ipwl(id),
    team_id    INTEGER REFERENCES pic_teams(id),
    granted_at TEXT NOT NULL,
    revoked_at TEXT,
    CHECK ((role = 'operator') = (ipwl_id IS NOT NULL)),
    CHECK ((role = 'pic') = (team_id IS NOT NULL))
);
CREATE INDEX grants_person ON grants(person_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_ipwl ON grants(ipwl_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_team ON grants(team_id) WHERE revoked_at IS NULL;

CREATE TABLE invites (
    id         INTEGER PRIMARY KEY,
    token      TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL,
    ipwl_id    INTEGER REFERENCES ipwl(id),
    team_id    INTEGER REFERENCES pic_teams(id),
    created_by INTEGER REFERENCES people(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    used_by    INTEGER REFERENCES people(id)
);

CREATE TABLE decrees (
    id         INTEGER PRIMARY KEY,
    number     TEXT NOT NULL UNIQUE,
    issued_on  TEXT NOT NULL,
    issued_by  INTEGER NOT NULL REFERENCES people(id),
    created_at TEXT NOT NULL
);

CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY,
    code            TEXT NOT NULL UNIQUE,
    ipwl_id         INTEGER NOT NULL REFERENCES ipwl(id),
    status          TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    period_year     INTEGER,
    period_month    INTEGER,
    created_by      INTEGER NOT NULL REFERENCES people(id),
    claimed_by      INTEGER REFERENCES people(id),
    verified_by     INTEGER REFERENCES people(id),
    validated_by    INTEGER REFERENCES people(id),
    lpj_verified_by INTEGER REFERENCES people(id),
    decree_id       INTEGER REFERENCES decrees(id),
    lpj_due_on      TEXT,
    -- The conversation cursor of a draft (which question comes next): state lives here,
    -- not in process memory, so a restart or a dropped phone loses nothing.
    draft_cursor    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    submitted_at    TEXT,
    status_since    TEXT NOT NULL
);
CREATE INDEX proposals_ipwl_status ON proposals(ipwl_id, status);
CREATE INDEX proposals_status ON proposals(status, status_since);

-- A frozen copy of each submitted version, so reviewers can see what changed.
CREATE TABLE proposal_versions (
    proposal_id  INTEGER NOT NULL REFERENCES proposals(id),
    version      INTEGER NOT NULL,
    snapshot     TEXT NOT NULL,
    submitted_by INTEGER NOT NULL REFERENCES people(id),
    submitted_at TEXT NOT NULL,
    PRIMARY KEY (proposal_id, version)
);

CREATE TABLE clients (
    id                INTEGER PRIMARY KEY,
    proposal_id       INTEGER NOT NULL REFERENCES proposals(id),
    position          INTEGER NOT NULL,
    full_name         TEXT NOT NULL,
    nik               TEXT NOT NULL,
    sex               TEXT,
    birth_date        TEXT,
    province_code     TEXT,
    regency           TEXT,
    address           TEXT,
    phone             TEXT,
    approach          TEXT,
    components        TEXT NOT NULL DEFAULT '',
    assessment        TEXT,
    intervention_plan TEXT,
    flags             TEXT NOT NULL DEFAULT '',
    -- Anonymized on a data-protection request where the workflow allows.
    erased_at         TEXT,
    UNIQUE (proposal_id, nik)
);
CREATE INDEX clients_nik ON clients(nik);
CREATE INDEX clients_proposal ON clients(proposal_id, position);

CREATE TABLE budget_lines (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    component   TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_cost   INTEGER NOT NULL CHECK (unit_cost >= 0),
    total       INTEGER NOT NULL CHECK (total = quantity * unit_cost)
);
CREATE INDEX budget_lines_client ON budget_lines(client_id);

CREATE TABLE attachments (
    id               INTEGER PRIMARY KEY,
    proposal_id      INTEGER NOT NULL REFERENCES proposals(id),
    client_id        INTEGER REFERENCES clients(id) ON DELETE CASCADE,
    purpose          TEXT NOT NULL,
    telegram_file_id TEXT NOT NULL,
    file_unique_id   TEXT,
    file_name        TEXT,
    mime_type        TEXT,
    size             INTEGER NOT NULL,
    sha256           TEXT NOT NULL,
    stored_path      TEXT,
    uploaded_by      INTEGER NOT NULL REFERENCES people(id),
    created_at       TEXT NOT NULL
);
CREATE INDEX attachments_proposal ON attachments(proposal_id);

-- Reasons given when a proposal, an account or an LPJ is returned: general or per client/field.
CREATE TABLE return_reasons (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    version     INTEGER NOT NULL,
    stage       TEXT NOT NULL,
    client_id   INTEGER REFERENCES clients(id) ON DELETE CASCADE,
    field       TEXT,
    reason      TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX return_reasons_proposal ON return_reasons(proposal_id, version);

CREATE TABLE bank_accounts (
    client_id       INTEGER PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    bank_code       TEXT,
    account_number  TEXT,
    holder_name     TEXT,
    status          TEXT NOT NULL DEFAULT 'missing',
    return_reason   TEXT,
    passbook_id     INTEGER REFERENCES attachments(id),
    updated_at      TEXT NOT NULL
);

CREATE TABLE payments (
    id          INTEGER PRIMARY KEY,
    proposal_id INTEGER NOT NULL UNIQUE REFERENCES proposals(id),
    spp_number  TEXT NOT NULL,
    spp_date    TEXT NOT NULL,
    spm_number  TEXT NOT NULL,
    spm_date    TEXT NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES people(id),
    created_at  TEXT NOT NULL
);

CREATE TABLE transfers (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL UNIQUE REFERENCES clients(id) ON DELETE CASCADE,
    amount       INTEGER NOT NULL CHECK (amount >= 0),
    transfer_on  TEXT,
    status       TEXT NOT NULL DEFAULT 'pending',
    note         TEXT,
    recorded_by  INTEGER REFERENCES people(id),
    updated_at   TEXT NOT NULL
);

CREATE TABLE lpj (
    id           INTEGER PRIMARY KEY,
    proposal_id  INTEGER NOT NULL UNIQUE REFERENCES proposals(id),
    version      INTEGER NOT NULL DEFAULT 1,
    submitted_at TEXT,
    late         INTEGER NOT NULL DEFAULT 0,
    draft_cursor TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

CREATE TABLE lpj_realizations (
    id             INTEGER PRIMARY KEY,
    lpj_id         INTEGER NOT NULL REFERENCES lpj(id) ON DELETE CASCADE,
    budget_line_id INTEGER NOT NULL REFERENCES budget_lines(id) ON DELETE CASCADE,
    amount         INTEGER NOT NULL CHECK (amount >= 0),
    note           TEXT,
    UNIQUE (lpj_id, budget_line_id)
);

CREATE TABLE lpj_services (
    id          INTEGER PRIMARY KEY,
    lpj_id      INTEGER NOT NULL REFERENCES lpj(id) ON DELETE CASCADE,
    client_id   INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    component   TEXT NOT NULL,
    served_from TEXT NOT NULL,
    served_to   TEXT NOT NULL
);

-- Every change: who, in which role, when (UTC), what, from → to, why. Written in the same
-- transaction as the change it describes.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor_id    INTEGER REFERENCES people(id),
    actor_role  TEXT,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    action      TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    reason      TEXT
);
CREATE INDEX audit_entity ON audit_events(entity, entity_id);
CREATE INDEX audit_at ON audit_events(at);

-- Notifications, written in the same transaction as the change; one sender drains it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    dedupe_key      TEXT NOT NULL UNIQUE,
    chat_id         INTEGER NOT NULL,
    person_id       INTEGER REFERENCES people(id),
    kind            TEXT NOT NULL,
    params          TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        INTEGER NOT NULL DEFAULT 0,
    not_before      TEXT NOT NULL,
    claimed_until   TEXT,
    sent_message_id INTEGER,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox(status, not_before);

-- One row per reminder ever sent: (item, kind, slot) makes reminders idempotent.
CREATE TABLE reminder_log (
    key     TEXT PRIMARY KEY,
    sent_at TEXT NOT NULL
);

-- Which group message shows which proposal, so the card can be edited in place.
CREATE TABLE group_cards (
    proposal_id INTEGER NOT NULL REFERENCES proposals(id),
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    PRIMARY KEY (proposal_id, chat_id)
);
