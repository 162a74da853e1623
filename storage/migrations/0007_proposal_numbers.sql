-- Proposal codes ("USL-2026-0042") come from a per-year counter, like the SK register: numbering no
-- longer scans every code of the year inside the write transaction, and a number is never handed
-- out twice even if a proposal row were ever removed.
CREATE TABLE proposal_numbers (
    year        INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL CHECK (last_number >= 0)
);

-- Carry on from the highest number already given in each year.
INSERT INTO proposal_numbers (year, last_number)
SELECT CAST(substr(code, 5, 4) AS INTEGER), MAX(CAST(substr(code, 10) AS INTEGER))
  FROM proposals
 WHERE code GLOB 'USL-[0-9][0-9][0-9][0-9]-[0-9]*'
 GROUP BY 1;
