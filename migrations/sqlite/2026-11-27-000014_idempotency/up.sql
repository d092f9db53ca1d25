-- Idempotency keys of POST requests: the first response, replayed for 24 hours (SQLite).
CREATE TABLE idempotency_keys (
    owner TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    -- The process that runs the first request; another process finding it running knows the
    -- first attempt was interrupted.
    instance TEXT NOT NULL,
    done BOOLEAN NOT NULL,
    status INTEGER,
    headers TEXT,
    body BLOB,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
