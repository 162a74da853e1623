-- Issue 18.6: a month's scheduled report is kept as it was sent (as SQLite's 0011): the figures
-- (JSON, language-neutral) and whether the run went out late.
ALTER TABLE report_runs ADD COLUMN report text;
ALTER TABLE report_runs ADD COLUMN late boolean NOT NULL DEFAULT false;
