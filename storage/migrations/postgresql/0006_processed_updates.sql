-- Each Telegram update id is recorded once and a second delivery is ignored.
CREATE TABLE processed_updates (
    update_id bigint PRIMARY KEY,
    at        timestamptz NOT NULL
);
CREATE INDEX processed_updates_at ON processed_updates(at);
