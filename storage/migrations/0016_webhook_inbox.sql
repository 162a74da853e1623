-- Webhook intake (issue 15): each update Telegram POSTs is stored here before the 200, keyed by its
-- id (a redelivery is a no-op), and workers take them one chat at a time, oldest first.
-- status: pending (to handle) | done | parked (failed too often; its error kept, an admin told).
CREATE TABLE inbox (
    update_id     INTEGER PRIMARY KEY,
    chat_key      INTEGER NOT NULL,
    payload       TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'pending',
    claimed_by    TEXT,
    claimed_until TEXT,
    not_before    TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    done_at       TEXT
);
CREATE INDEX inbox_pending ON inbox(chat_key, update_id) WHERE status = 'pending';
CREATE INDEX inbox_done_at ON inbox(done_at) WHERE status = 'done';
-- Who leads (runs the outbox sender and the repeating jobs): written by the leader when it takes
-- the lead and at every heartbeat, for `atensi-bot db status`. The lock itself is elsewhere.
CREATE TABLE leadership (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    holder       TEXT NOT NULL,
    since        TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
);
