-- Issue 16.5 with 17.7, retention of complaints (as storage/migrations/0022): a closed complaint's
-- personal data is erased [admin] complaint_retention_years after closing, announced first
-- (erase_after), then erased once (erased_at, compare-and-set).
ALTER TABLE complaints ADD COLUMN erase_after timestamptz;
ALTER TABLE complaints ADD COLUMN erased_at timestamptz;
CREATE INDEX complaints_closed ON complaints(closed_at) WHERE status = 'closed' AND erased_at IS NULL;
