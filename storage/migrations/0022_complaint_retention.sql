-- Issue 16.5 with 17.7, retention of complaints: a closed complaint's personal data (the
-- complainant's identity, the description, the outcome, the officers' notes, the files) is erased
-- [admin] complaint_retention_years after it was closed, as a closed proposal's clients are: the
-- retention job announces it to the admins (erase_after: the day it goes), then erases it
-- (erased_at; a compare-and-set, so two bot instances erase it once). The ticket, category, dates,
-- status and the IPWL/proposal it concerned stay for the figures.
ALTER TABLE complaints ADD COLUMN erase_after TEXT;
ALTER TABLE complaints ADD COLUMN erased_at TEXT;
CREATE INDEX complaints_closed ON complaints(closed_at) WHERE status = 'closed' AND erased_at IS NULL;
