-- A refund case recorded back as finance receives it (issue 16.6): the amount received (part of
-- the case allowed: the rest stays open), the day it reached the centre's account (not in the
-- future) and its proof — a deposit slip's file or photo, or the transfer's reference number.
CREATE TABLE refund_receipts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    refund_id       bigint NOT NULL REFERENCES refund_cases(id) ON DELETE CASCADE,
    amount          bigint NOT NULL CHECK (amount > 0),
    received_on     date NOT NULL,
    proof_id        bigint REFERENCES attachments(id) ON DELETE SET NULL,
    proof_reference text,
    recorded_by     bigint NOT NULL REFERENCES people(id),
    recorded_at     timestamptz NOT NULL
);
CREATE INDEX refund_receipts_refund ON refund_receipts(refund_id);
