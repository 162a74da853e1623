-- Issue 18.7 (as SQLite's 0012): admin rights are grants like every other role, and a read-only
-- auditor role. PostgreSQL changes the CHECK constraint in place (SQLite rebuilds the table).
-- granted_by says who gave the role (NULL: the configuration or the command line).
ALTER TABLE grants DROP CONSTRAINT grants_role_check;
ALTER TABLE grants ADD CONSTRAINT grants_role_check
    CHECK (role IN ('operator', 'pic', 'finance', 'head', 'admin', 'auditor'));
ALTER TABLE grants ADD COLUMN granted_by bigint REFERENCES people(id);
