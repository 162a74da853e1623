-- Issue 18.6: a month's scheduled report is kept as it was sent, so asking for that month later
-- says what it said then. The figures (JSON, language-neutral: the views word them) and whether
-- the run went out late (the bot was not running when it was due).
ALTER TABLE report_runs ADD COLUMN report TEXT;
ALTER TABLE report_runs ADD COLUMN late INTEGER NOT NULL DEFAULT 0;
