-- LPJ review and evidence, and the reminder job's indexes (as SQLite's 0005).
ALTER TABLE lpj ADD COLUMN first_submitted_at timestamptz;
ALTER TABLE lpj ADD COLUMN verified_by bigint REFERENCES people(id);
ALTER TABLE lpj ADD COLUMN verified_at timestamptz;
ALTER TABLE lpj ADD COLUMN validated_by bigint REFERENCES people(id);
ALTER TABLE lpj ADD COLUMN validated_at timestamptz;

CREATE UNIQUE INDEX lpj_services_client_component ON lpj_services(lpj_id, client_id, component);

-- stamped: whether the operator confirmed the meterai on a receipt above the threshold.
CREATE TABLE lpj_evidence (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lpj_id        bigint NOT NULL REFERENCES lpj(id) ON DELETE CASCADE,
    attachment_id bigint NOT NULL UNIQUE REFERENCES attachments(id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('receipt', 'photo', 'bast')),
    amount        bigint CHECK (amount IS NULL OR amount >= 0),
    stamped       boolean,
    created_at    timestamptz NOT NULL
);
CREATE INDEX lpj_evidence_lpj ON lpj_evidence(lpj_id, kind);

CREATE TABLE lpj_cards (
    lpj_id     bigint NOT NULL REFERENCES lpj(id) ON DELETE CASCADE,
    chat_id    bigint NOT NULL,
    message_id bigint NOT NULL,
    PRIMARY KEY (lpj_id, chat_id)
);

CREATE INDEX proposals_status_id ON proposals(status, id);
CREATE INDEX lpj_updated ON lpj(updated_at);
CREATE INDEX reminder_log_sent ON reminder_log(sent_at);
