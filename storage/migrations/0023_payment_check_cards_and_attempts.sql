-- Post-payment checks, as a newcomer used them in the sandbox: every PIC's copy of a check's card
-- is remembered when it is sent (payment_check_cards), so that once one PIC records the answer
-- every copy is edited to say who recorded what, without buttons left to tap. A client who could
-- not be reached is called again: attempts counts the calls that did not get through (the last one
-- by last_attempt_by at last_attempt_at); the check stays open until [payment_checks]
-- unreachable_attempts of them, then it is recorded as not reachable.
CREATE TABLE payment_check_cards (
    check_id   INTEGER NOT NULL REFERENCES payment_checks(id) ON DELETE CASCADE,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    person_id  INTEGER REFERENCES people(id),
    PRIMARY KEY (check_id, chat_id, message_id)
);
ALTER TABLE payment_checks ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE payment_checks ADD COLUMN last_attempt_at TEXT;
ALTER TABLE payment_checks ADD COLUMN last_attempt_by INTEGER REFERENCES people(id);
