-- What each person is in the middle of, so free text can be routed after a restart:
-- a proposal draft (its cursor lives on the proposal), a return reason being typed, …
CREATE TABLE conversations (
    person_id  INTEGER PRIMARY KEY REFERENCES people(id),
    kind       TEXT NOT NULL,
    entity_id  INTEGER,
    state      TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);
