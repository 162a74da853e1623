-- Issue 16: the year's budget ceiling (pagu) and the SPM's amount, its SP2D.
-- A ceiling is the whole year's ('' component) or one ATENSI component's ('1'..'7'); an admin sets
-- it (audited), the head's SK may not take the decreed budget above any of them.
CREATE TABLE budget_ceilings (
    year       INTEGER NOT NULL,
    component  TEXT NOT NULL DEFAULT '',
    amount     INTEGER NOT NULL CHECK (amount > 0),
    set_by     INTEGER REFERENCES people(id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, component)
);
-- The amount of the payment order (the proposal's total when the SPM was saved), and the SP2D the
-- treasury office (KPPN) issued for it: its amount must equal the SPM's.
ALTER TABLE payments ADD COLUMN spm_amount INTEGER;
ALTER TABLE payments ADD COLUMN sp2d_number TEXT;
ALTER TABLE payments ADD COLUMN sp2d_date TEXT;
ALTER TABLE payments ADD COLUMN sp2d_amount INTEGER;
