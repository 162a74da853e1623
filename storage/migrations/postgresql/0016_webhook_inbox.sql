-- Webhook intake (issue 15): each update Telegram POSTs is stored here before the 200, keyed by its
-- id (a redelivery is a no-op), and workers take them one chat at a time, oldest first
-- (SELECT … FOR UPDATE SKIP LOCKED).
-- status: pending (to handle) | done | parked (failed too often; its error kept, an admin told).
CREATE TABLE inbox (
    update_id     bigint PRIMARY KEY,
    chat_key      bigint NOT NULL,
    payload       text NOT NULL,
    received_at   timestamptz NOT NULL,
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'parked')),
    claimed_by    text,
    claimed_until timestamptz,
    not_before    timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    done_at       timestamptz
);
CREATE INDEX inbox_pending ON inbox(chat_key, update_id) WHERE status = 'pending';
CREATE INDEX inbox_done_at ON inbox(done_at) WHERE status = 'done';
-- Who leads (runs the outbox sender and the repeating jobs): written by the leader when it takes
-- the lead and at every heartbeat, for `atensi-bot db status`. The lock itself is a session
-- advisory lock on the leader's own connection.
CREATE TABLE leadership (
    id           integer PRIMARY KEY CHECK (id = 1),
    holder       text NOT NULL,
    since        timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);
