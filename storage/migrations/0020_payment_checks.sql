-- Issue 16.4: post-payment verification. When a proposal's transfers are all sent, a sample of its
-- clients is drawn (bot.domain.payment_checks.draw): the seed, the settings and the population are
-- recorded so the draw can be repeated. Each sampled client gets a check the PIC team answers by
-- phone: full / less (received_amount) / none / unreachable; a mismatch opens a complaint
-- (complaint_ticket). No personal data here: the client is referenced by id.
CREATE TABLE payment_check_draws (
    proposal_id    INTEGER PRIMARY KEY REFERENCES proposals(id),
    seed           TEXT NOT NULL,
    share_permille INTEGER NOT NULL,
    minimum        INTEGER NOT NULL,
    population     INTEGER NOT NULL,
    drawn_at       TEXT NOT NULL
);

CREATE TABLE payment_checks (
    id               INTEGER PRIMARY KEY,
    proposal_id      INTEGER NOT NULL REFERENCES proposals(id),
    client_id        INTEGER NOT NULL UNIQUE REFERENCES clients(id) ON DELETE CASCADE,
    expected_amount  INTEGER NOT NULL,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'full', 'less', 'none', 'unreachable')),
    received_amount  INTEGER,
    checked_by       INTEGER REFERENCES people(id),
    checked_at       TEXT,
    complaint_ticket TEXT
);
CREATE INDEX payment_checks_proposal ON payment_checks(proposal_id);
CREATE INDEX payment_checks_pending ON payment_checks(proposal_id) WHERE status = 'pending';
