-- LPJ (accountability reports) and the reminder engine.
-- The lpj, lpj_realizations, lpj_services and reminder_log tables exist since 0001; this adds who
-- verified and validated an LPJ, its evidence (receipts, activity photos, the signed recipient
-- list), the group card that shows it to the PIC team, and the indexes the reminder job pages by.

ALTER TABLE lpj ADD COLUMN first_submitted_at TEXT;
ALTER TABLE lpj ADD COLUMN verified_by INTEGER REFERENCES people(id);
ALTER TABLE lpj ADD COLUMN verified_at TEXT;
ALTER TABLE lpj ADD COLUMN validated_by INTEGER REFERENCES people(id);
ALTER TABLE lpj ADD COLUMN validated_at TEXT;

-- One client is served once per component: entering the dates again replaces them.
CREATE UNIQUE INDEX lpj_services_client_component ON lpj_services(lpj_id, client_id, component);

-- Evidence files, each an attachment of the proposal. Receipts carry their amount and, above
-- the stamp-duty threshold, whether the operator confirmed the meterai (1) — never left unknown
-- at submission.
CREATE TABLE lpj_evidence (
    id            INTEGER PRIMARY KEY,
    lpj_id        INTEGER NOT NULL REFERENCES lpj(id) ON DELETE CASCADE,
    attachment_id INTEGER NOT NULL UNIQUE REFERENCES attachments(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('receipt', 'photo', 'bast')),
    amount        INTEGER CHECK (amount IS NULL OR amount >= 0),
    stamped       INTEGER CHECK (stamped IS NULL OR stamped IN (0, 1)),
    created_at    TEXT NOT NULL
);
CREATE INDEX lpj_evidence_lpj ON lpj_evidence(lpj_id, kind);

-- Which group message shows which LPJ, so the card is edited in place as the review moves on.
CREATE TABLE lpj_cards (
    lpj_id     INTEGER NOT NULL REFERENCES lpj(id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (lpj_id, chat_id)
);

-- The reminder job pages through proposals of one status in id order (keyset paging).
CREATE INDEX proposals_status_id ON proposals(status, id);
CREATE INDEX lpj_updated ON lpj(updated_at);
-- Old reminder keys can be pruned by age.
CREATE INDEX reminder_log_sent ON reminder_log(sent_at);
