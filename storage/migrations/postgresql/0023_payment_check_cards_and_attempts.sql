-- As SQLite's 0023: each PIC's copy of a check's card, and the calls that did not get through.
CREATE TABLE payment_check_cards (
    check_id   bigint NOT NULL REFERENCES payment_checks(id) ON DELETE CASCADE,
    chat_id    bigint NOT NULL,
    message_id bigint NOT NULL,
    person_id  bigint REFERENCES people(id),
    PRIMARY KEY (check_id, chat_id, message_id)
);
ALTER TABLE payment_checks ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE payment_checks ADD COLUMN last_attempt_at timestamptz;
ALTER TABLE payment_checks ADD COLUMN last_attempt_by bigint REFERENCES people(id);
