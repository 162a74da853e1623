-- The whole ATENSI lifecycle on PostgreSQL (the same tables and columns as the SQLite 0001, in
-- PostgreSQL's own types): identity ids, timestamptz instants, dates, booleans, bigint rupiah and
-- Telegram ids, jsonb for the documents stored (snapshots, cursors, outbox parameters).

CREATE TABLE pic_teams (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code          text NOT NULL UNIQUE,
    name          text NOT NULL,
    group_chat_id bigint UNIQUE,
    created_at    timestamptz NOT NULL
);

CREATE TABLE ipwl (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    name            text NOT NULL,
    province_code   text NOT NULL,
    regency         text NOT NULL DEFAULT '',
    address         text NOT NULL DEFAULT '',
    pks_number      text NOT NULL DEFAULT '',
    pks_valid_from  date,
    pks_valid_until date,
    team_id         bigint REFERENCES pic_teams(id),
    active          boolean NOT NULL DEFAULT TRUE,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX ipwl_team ON ipwl(team_id);
CREATE INDEX ipwl_province ON ipwl(province_code);

CREATE TABLE people (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    telegram_user_id     bigint NOT NULL UNIQUE,
    full_name            text NOT NULL,
    locale               text,
    private_chat_started boolean NOT NULL DEFAULT FALSE,
    revoked_at           timestamptz,
    created_at           timestamptz NOT NULL
);

CREATE TABLE grants (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id  bigint NOT NULL REFERENCES people(id),
    role       text NOT NULL CHECK (role IN ('operator', 'pic', 'finance', 'head', 'admin')),
    ipwl_id    bigint REFERENCES ipwl(id),
    team_id    bigint REFERENCES pic_teams(id),
    granted_at timestamptz NOT NULL,
    revoked_at timestamptz,
    CHECK ((role = 'operator') = (ipwl_id IS NOT NULL)),
    CHECK ((role = 'pic') = (team_id IS NOT NULL))
);
CREATE INDEX grants_person ON grants(person_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_ipwl ON grants(ipwl_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_team ON grants(team_id) WHERE revoked_at IS NULL;

CREATE TABLE invites (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token      text NOT NULL UNIQUE,
    role       text NOT NULL,
    ipwl_id    bigint REFERENCES ipwl(id),
    team_id    bigint REFERENCES pic_teams(id),
    created_by bigint REFERENCES people(id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_by    bigint REFERENCES people(id)
);

CREATE TABLE decrees (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number     text NOT NULL UNIQUE,
    issued_on  date NOT NULL,
    issued_by  bigint NOT NULL REFERENCES people(id),
    created_at timestamptz NOT NULL
);

CREATE TABLE proposals (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE,
    ipwl_id         bigint NOT NULL REFERENCES ipwl(id),
    status          text NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    period_year     integer,
    period_month    integer,
    created_by      bigint NOT NULL REFERENCES people(id),
    claimed_by      bigint REFERENCES people(id),
    verified_by     bigint REFERENCES people(id),
    validated_by    bigint REFERENCES people(id),
    lpj_verified_by bigint REFERENCES people(id),
    decree_id       bigint REFERENCES decrees(id),
    lpj_due_on      date,
    -- The conversation cursor of a draft (which question comes next).
    draft_cursor    jsonb,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    submitted_at    timestamptz,
    status_since    timestamptz NOT NULL
);
CREATE INDEX proposals_ipwl_status ON proposals(ipwl_id, status);
CREATE INDEX proposals_status ON proposals(status, status_since);

CREATE TABLE proposal_versions (
    proposal_id  bigint NOT NULL REFERENCES proposals(id),
    version      integer NOT NULL,
    snapshot     jsonb NOT NULL,
    submitted_by bigint NOT NULL REFERENCES people(id),
    submitted_at timestamptz NOT NULL,
    PRIMARY KEY (proposal_id, version)
);

CREATE TABLE clients (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id       bigint NOT NULL REFERENCES proposals(id),
    position          integer NOT NULL,
    full_name         text NOT NULL,
    nik               text NOT NULL,
    sex               text,
    birth_date        date,
    province_code     text,
    regency           text,
    address           text,
    phone             text,
    approach          text,
    components        text NOT NULL DEFAULT '',
    assessment        text,
    intervention_plan text,
    flags             text NOT NULL DEFAULT '',
    erased_at         timestamptz,
    UNIQUE (proposal_id, nik)
);
CREATE INDEX clients_nik ON clients(nik);
CREATE INDEX clients_proposal ON clients(proposal_id, position);

CREATE TABLE budget_lines (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id   bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    component   text NOT NULL,
    description text NOT NULL,
    quantity    integer NOT NULL CHECK (quantity > 0),
    unit_cost   bigint NOT NULL CHECK (unit_cost >= 0),
    total       bigint NOT NULL CHECK (total = quantity * unit_cost)
);
CREATE INDEX budget_lines_client ON budget_lines(client_id);

CREATE TABLE attachments (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id      bigint NOT NULL REFERENCES proposals(id),
    client_id        bigint REFERENCES clients(id) ON DELETE CASCADE,
    purpose          text NOT NULL,
    telegram_file_id text NOT NULL,
    file_unique_id   text,
    file_name        text,
    mime_type        text,
    size             bigint NOT NULL,
    sha256           text NOT NULL,
    stored_path      text,
    uploaded_by      bigint NOT NULL REFERENCES people(id),
    created_at       timestamptz NOT NULL
);
CREATE INDEX attachments_proposal ON attachments(proposal_id);

CREATE TABLE return_reasons (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id bigint NOT NULL REFERENCES proposals(id),
    version     integer NOT NULL,
    stage       text NOT NULL,
    client_id   bigint REFERENCES clients(id) ON DELETE CASCADE,
    field       text,
    reason      text NOT NULL,
    created_by  bigint NOT NULL REFERENCES people(id),
    created_at  timestamptz NOT NULL
);
CREATE INDEX return_reasons_proposal ON return_reasons(proposal_id, version);

CREATE TABLE bank_accounts (
    client_id       bigint PRIMARY KEY REFERENCES clients(id) ON DELETE CASCADE,
    bank_code       text,
    account_number  text,
    holder_name     text,
    status          text NOT NULL DEFAULT 'missing',
    return_reason   text,
    passbook_id     bigint REFERENCES attachments(id),
    updated_at      timestamptz NOT NULL
);

CREATE TABLE payments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id bigint NOT NULL UNIQUE REFERENCES proposals(id),
    spp_number  text NOT NULL,
    spp_date    date NOT NULL,
    spm_number  text NOT NULL,
    spm_date    date NOT NULL,
    recorded_by bigint NOT NULL REFERENCES people(id),
    created_at  timestamptz NOT NULL
);

CREATE TABLE transfers (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_id    bigint NOT NULL UNIQUE REFERENCES clients(id) ON DELETE CASCADE,
    amount       bigint NOT NULL CHECK (amount >= 0),
    transfer_on  date,
    status       text NOT NULL DEFAULT 'pending',
    note         text,
    recorded_by  bigint REFERENCES people(id),
    updated_at   timestamptz NOT NULL
);

CREATE TABLE lpj (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id  bigint NOT NULL UNIQUE REFERENCES proposals(id),
    version      integer NOT NULL DEFAULT 1,
    submitted_at timestamptz,
    late         boolean NOT NULL DEFAULT FALSE,
    draft_cursor jsonb,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE TABLE lpj_realizations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lpj_id         bigint NOT NULL REFERENCES lpj(id) ON DELETE CASCADE,
    budget_line_id bigint NOT NULL REFERENCES budget_lines(id) ON DELETE CASCADE,
    amount         bigint NOT NULL CHECK (amount >= 0),
    note           text,
    UNIQUE (lpj_id, budget_line_id)
);

CREATE TABLE lpj_services (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lpj_id      bigint NOT NULL REFERENCES lpj(id) ON DELETE CASCADE,
    client_id   bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    component   text NOT NULL,
    served_from date NOT NULL,
    served_to   date NOT NULL
);

CREATE TABLE audit_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_id    bigint REFERENCES people(id),
    actor_role  text,
    entity      text NOT NULL,
    entity_id   text NOT NULL,
    action      text NOT NULL,
    from_status text,
    to_status   text,
    reason      text
);
CREATE INDEX audit_entity ON audit_events(entity, entity_id);
CREATE INDEX audit_at ON audit_events(at);

CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key      text NOT NULL UNIQUE,
    chat_id         bigint NOT NULL,
    person_id       bigint REFERENCES people(id),
    kind            text NOT NULL,
    params          jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending',
    attempts        integer NOT NULL DEFAULT 0,
    not_before      timestamptz NOT NULL,
    claimed_until   timestamptz,
    sent_message_id bigint,
    last_error      text,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz
);
CREATE INDEX outbox_due ON outbox(status, not_before);

CREATE TABLE reminder_log (
    key     text PRIMARY KEY,
    sent_at timestamptz NOT NULL
);

CREATE TABLE group_cards (
    proposal_id bigint NOT NULL REFERENCES proposals(id),
    chat_id     bigint NOT NULL,
    message_id  bigint NOT NULL,
    PRIMARY KEY (proposal_id, chat_id)
);
