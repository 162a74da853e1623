-- Steps b–d: PIC review cards, the SK number register.

-- Which version of the proposal a group card shows: a resubmitted version gets a new card and the
-- old one is edited to say it was superseded.
ALTER TABLE group_cards ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- The SK number register: the last number handed out per year ("SK-001/…/2026", "SK-002/…").
-- Numbers typed by the head do not consume it.
CREATE TABLE sk_register (
    year        INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL CHECK (last_number >= 0)
);

CREATE INDEX proposals_decree ON proposals(decree_id);
CREATE INDEX transfers_status ON transfers(status);
