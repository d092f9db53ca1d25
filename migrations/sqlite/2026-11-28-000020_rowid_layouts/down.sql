CREATE TABLE events_by_rowid (
    seq BIGINT NOT NULL PRIMARY KEY,
    event_type TEXT NOT NULL,
    scope TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
INSERT INTO events_by_rowid (seq, event_type, scope, entity, entity_id, payload, occurred_at)
    SELECT seq, event_type, scope, entity, entity_id, payload, occurred_at FROM events;
DROP TABLE events;
ALTER TABLE events_by_rowid RENAME TO events;
CREATE INDEX events_type ON events (event_type, seq);

CREATE TABLE act_officers_by_rowid (
    act_id BIGINT NOT NULL REFERENCES acts (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (act_id, person_id)
);
INSERT INTO act_officers_by_rowid (act_id, person_id) SELECT act_id, person_id FROM act_officers;
DROP TABLE act_officers;
ALTER TABLE act_officers_by_rowid RENAME TO act_officers;
CREATE INDEX act_officers_person ON act_officers (person_id);
