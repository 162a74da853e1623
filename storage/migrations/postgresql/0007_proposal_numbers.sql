-- Proposal codes come from a per-year counter (as SQLite's 0007).
CREATE TABLE proposal_numbers (
    year        integer PRIMARY KEY,
    last_number integer NOT NULL CHECK (last_number >= 0)
);

INSERT INTO proposal_numbers (year, last_number)
SELECT CAST(substr(code, 5, 4) AS integer), MAX(CAST(substr(code, 10) AS integer))
  FROM proposals
 WHERE code ~ '^USL-[0-9]{4}-[0-9]+$'
 GROUP BY 1;
