-- Telegram may hand the same update over twice (a crash before the offset was confirmed):
-- each update id is recorded once and a second delivery is ignored.
CREATE TABLE processed_updates (
    update_id INTEGER PRIMARY KEY,
    at        TEXT NOT NULL
);
CREATE INDEX processed_updates_at ON processed_updates(at);
