-- What each person is in the middle of, so free text can be routed after a restart.
CREATE TABLE conversations (
    person_id  bigint PRIMARY KEY REFERENCES people(id),
    kind       text NOT NULL,
    entity_id  bigint,
    state      jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL
);
