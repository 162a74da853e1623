-- Issue 16.6, changes after the SK: a client who drops out, dies, moves to another IPWL, or whose
-- name or NIK was wrong. The operator requests the change (with a reason and an evidence file), the
-- IPWL's PIC team verifies it, the head approves it under an amending SK (SK perubahan, a row of
-- `decrees` numbered from the same register, so an SK and an SK perubahan never share a number).
-- kind: drop_out | death | move | name | nik
-- status: requested -> verified -> approved, or returned / rejected (with decision_reason)
-- old_value, new_value, reason, decision_reason are sealed (storage/sealing.py): a name, a NIK, a
-- cause of death are personal data. duplicates: the proposal codes a corrected NIK is also in.
CREATE TABLE client_changes (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id     bigint NOT NULL REFERENCES proposals(id),
    client_id       bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('drop_out', 'death', 'move', 'name', 'nik')),
    status          text NOT NULL DEFAULT 'requested'
                    CHECK (status IN ('requested', 'verified', 'approved', 'returned', 'rejected')),
    reason          text NOT NULL,
    old_value       text,
    new_value       text,
    target_ipwl_id  bigint REFERENCES ipwl(id),
    duplicates      text,
    evidence_id     bigint REFERENCES attachments(id),
    requested_by    bigint NOT NULL REFERENCES people(id),
    requested_at    timestamptz NOT NULL,
    verified_by     bigint REFERENCES people(id),
    verified_at     timestamptz,
    decided_by      bigint REFERENCES people(id),
    decided_at      timestamptz,
    decision_reason text,
    amendment_id    bigint REFERENCES decrees(id),
    -- The card in the team's group (edited in place at each step).
    card_chat_id    bigint,
    card_message_id bigint
);
CREATE INDEX client_changes_proposal ON client_changes(proposal_id);
CREATE INDEX client_changes_status ON client_changes(status);
-- One open request per client at a time (a double tap, or two operators, cannot file two).
CREATE UNIQUE INDEX client_changes_one_open ON client_changes(client_id) WHERE status IN ('requested', 'verified');
-- A client paid before leaving the list: the money is to come back (recorded for finance, never
-- dropped silently). status: open | settled.
CREATE TABLE refund_cases (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    change_id   bigint NOT NULL UNIQUE REFERENCES client_changes(id),
    proposal_id bigint NOT NULL REFERENCES proposals(id),
    client_id   bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    amount      bigint NOT NULL CHECK (amount >= 0),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'settled')),
    created_at  timestamptz NOT NULL,
    settled_by  bigint REFERENCES people(id),
    settled_at  timestamptz
);
CREATE INDEX refund_cases_open ON refund_cases(status);
