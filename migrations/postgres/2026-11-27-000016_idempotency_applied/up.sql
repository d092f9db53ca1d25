-- Set in the same transaction as the request's writes: after a crash, a key whose writes
-- committed is never run again, and one whose writes did not is (PostgreSQL).
ALTER TABLE idempotency_keys ADD COLUMN applied BOOLEAN NOT NULL DEFAULT FALSE;
