-- One account, one client (issue 11.4): an account number is looked up among this year's clients
-- at entry and at verification (PostgreSQL: postgresql/0010).
CREATE INDEX IF NOT EXISTS bank_accounts_by_number ON bank_accounts (account_number);
