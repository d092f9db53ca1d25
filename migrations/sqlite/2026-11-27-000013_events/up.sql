-- The change feed: events numbered without gaps in commit order (SQLite).
CREATE TABLE events (
    seq BIGINT NOT NULL PRIMARY KEY,
    event_type TEXT NOT NULL,
    scope TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX events_type ON events (event_type, seq);
