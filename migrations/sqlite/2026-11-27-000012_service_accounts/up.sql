-- Service accounts of other systems (role `integration`): client credentials and scopes (SQLite).
CREATE TABLE service_accounts (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL UNIQUE REFERENCES users (id),
    name TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    -- SHA-256 of a 256-bit random secret: no slow hash needed for a secret nobody chose.
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    -- The token family of the current secret; rotation and revocation close it.
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    rotated_at TIMESTAMP,
    revoked_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
