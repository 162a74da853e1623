-- Double assistance (issue 16.1), as a newcomer used it: an adjudication may also find that the two
-- clients are the same person. outcome says which: 'different' (not the same person: the hold is
-- lifted) or 'same' (double assistance confirmed: the held client stays out of the SK annex and the
-- transfers for good, and the operator asks for their removal by an SK perubahan). Adjudications
-- recorded before this column are "not the same person".
ALTER TABLE nik_conflicts ADD COLUMN outcome TEXT CHECK (outcome IN ('different', 'same'));
UPDATE nik_conflicts SET outcome = 'different' WHERE adjudicated_at IS NOT NULL;
