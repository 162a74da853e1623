-- Issue 16.4 (as SQLite's 0020): post-payment verification — the recorded draw and each check.
CREATE TABLE payment_check_draws (
    proposal_id    bigint PRIMARY KEY REFERENCES proposals(id),
    seed           text NOT NULL,
    share_permille integer NOT NULL,
    minimum        integer NOT NULL,
    population     integer NOT NULL,
    drawn_at       timestamptz NOT NULL
);

CREATE TABLE payment_checks (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id      bigint NOT NULL REFERENCES proposals(id),
    client_id        bigint NOT NULL UNIQUE REFERENCES clients(id) ON DELETE CASCADE,
    expected_amount  bigint NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'full', 'less', 'none', 'unreachable')),
    received_amount  bigint,
    checked_by       bigint REFERENCES people(id),
    checked_at       timestamptz,
    complaint_ticket text
);
CREATE INDEX payment_checks_proposal ON payment_checks(proposal_id);
CREATE INDEX payment_checks_pending ON payment_checks(proposal_id) WHERE status = 'pending';
