-- Changes after the SK (issue 16.6) gain a kind: 'double_assistance' (bantuan ganda), a client decided
-- the same person as another IPWL's client this budget year (issue 16.1), who leaves the list like a
-- drop-out but with the true reason in the SK perubahan's annex. 0021 checks the kind: widen it.
ALTER TABLE client_changes DROP CONSTRAINT client_changes_kind_check;
ALTER TABLE client_changes ADD CONSTRAINT client_changes_kind_check
    CHECK (kind IN ('drop_out', 'death', 'move', 'name', 'nik', 'double_assistance'));
