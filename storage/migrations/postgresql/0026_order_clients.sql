-- The clients an SPM covers, each with the amount it orders for them, fixed when the SPM is saved
-- (re-saving an SPM replaces its list). An SPM is a state document with a fixed amount: a client
-- held for double assistance and cleared after it is not in it (paid by an SPM of their own), so
-- the transfers list and its control totals follow this list, not the clients payable now.
-- An SPM saved before this table has no rows here: it keeps the clients payable now.
CREATE TABLE order_clients (
    proposal_id bigint NOT NULL REFERENCES payments(proposal_id) ON DELETE CASCADE,
    client_id   bigint NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    amount      bigint NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (proposal_id, client_id)
);
