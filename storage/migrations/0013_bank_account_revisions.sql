-- Issue (stale payment buttons): each account an operator submits for a client gets the next
-- revision number. The verify, transfer-sent and transfer-failed buttons carry the revision they
-- were shown for, so a button from an earlier card never acts on an account entered later.
ALTER TABLE bank_accounts ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
