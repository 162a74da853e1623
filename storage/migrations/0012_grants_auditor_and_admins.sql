-- Issue 18.7: who may do what is visible and audited. Admin rights become grants like every other
-- role (the configuration's admin_user_ids only bootstrap them), and a read-only auditor role
-- (Inspektorat, BPK) sees reports, exports and the audit trail and decides nothing. SQLite cannot
-- change a CHECK constraint in place: the table is rebuilt with the same rows (nothing references
-- grants). granted_by says who gave the role (NULL: the configuration or the command line).
CREATE TABLE grants_new (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people(id),
    role       TEXT NOT NULL CHECK (role IN ('operator', 'pic', 'finance', 'head', 'admin', 'auditor')),
    ipwl_id    INTEGER REFERENCES ipwl(id),
    team_id    INTEGER REFERENCES pic_teams(id),
    granted_at TEXT NOT NULL,
    revoked_at TEXT,
    granted_by INTEGER REFERENCES people(id),
    CHECK ((role = 'operator') = (ipwl_id IS NOT NULL)),
    CHECK ((role = 'pic') = (team_id IS NOT NULL))
);
INSERT INTO grants_new (id, person_id, role, ipwl_id, team_id, granted_at, revoked_at)
    SELECT id, person_id, role, ipwl_id, team_id, granted_at, revoked_at FROM grants;
DROP TABLE grants;
ALTER TABLE grants_new RENAME TO grants;
CREATE INDEX grants_person ON grants(person_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_ipwl ON grants(ipwl_id) WHERE revoked_at IS NULL;
CREATE INDEX grants_team ON grants(team_id) WHERE revoked_at IS NULL;
