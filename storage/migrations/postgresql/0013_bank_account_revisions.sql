-- Stale payment buttons (as SQLite's 0013): each account an operator submits for a client gets the
-- next revision number; the verify and transfer buttons carry the revision they were shown for.
ALTER TABLE bank_accounts ADD COLUMN revision bigint NOT NULL DEFAULT 0;
