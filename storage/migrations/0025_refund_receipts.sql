-- A refund case recorded back as finance receives it (issue 16.6): the amount received (part of
-- the case allowed: the rest stays open), the day it reached the centre's account (not in the
-- future) and its proof — a deposit slip's file or photo, or the transfer's reference number.
CREATE TABLE refund_receipts (
    id              INTEGER PRIMARY KEY,
    refund_id       INTEGER NOT NULL REFERENCES refund_cases(id) ON DELETE CASCADE,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    received_on     TEXT NOT NULL,
    proof_id        INTEGER REFERENCES attachments(id) ON DELETE SET NULL,
    proof_reference TEXT,
    recorded_by     INTEGER NOT NULL REFERENCES people(id),
    recorded_at     TEXT NOT NULL
);
CREATE INDEX refund_receipts_refund ON refund_receipts(refund_id);
