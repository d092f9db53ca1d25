-- Webhook subscriptions to the change feed and their delivery attempts (PostgreSQL).
CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    owner_id BIGINT NOT NULL REFERENCES users (id),
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    -- Kept as given: the service signs every delivery with it.
    secret TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    disabled_reason TEXT,
    -- The last event delivered; deliveries go in order, one at a time.
    cursor BIGINT NOT NULL,
    consecutive_failures INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    -- One deliverer at a time, also across processes.
    leased_until TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id),
    event_seq BIGINT NOT NULL,
    attempt INTEGER NOT NULL,
    succeeded BOOLEAN NOT NULL,
    response_status INTEGER,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    attempted_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, id);
