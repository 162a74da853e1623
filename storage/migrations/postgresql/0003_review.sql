-- Steps b–d: PIC review cards, the SK number register (as SQLite's 0003).
ALTER TABLE group_cards ADD COLUMN version integer NOT NULL DEFAULT 1;

CREATE TABLE sk_register (
    year        integer PRIMARY KEY,
    last_number integer NOT NULL CHECK (last_number >= 0)
);

CREATE INDEX proposals_decree ON proposals(decree_id);
CREATE INDEX transfers_status ON transfers(status);
