-- SQLite stores a table whose key is not `INTEGER PRIMARY KEY` by a hidden rowid and keeps an
-- index on its key besides: each event and each officer of an act cost the writer one b-tree
-- insert more than needed. Events are now stored by their number (the rowid itself), an act's
-- officers by their key (WITHOUT ROWID). Same columns, same order, same indexes otherwise.
CREATE TABLE events_by_seq (
    seq INTEGER PRIMARY KEY,
    event_type TEXT NOT NULL,
    scope TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
INSERT INTO events_by_seq (seq, event_type, scope, entity, entity_id, payload, occurred_at)
    SELECT seq, event_type, scope, entity, entity_id, payload, occurred_at FROM events;
DROP TABLE events;
ALTER TABLE events_by_seq RENAME TO events;
CREATE INDEX events_type ON events (event_type, seq);

CREATE TABLE act_officers_by_key (
    act_id BIGINT NOT NULL REFERENCES acts (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (act_id, person_id)
) WITHOUT ROWID;
INSERT INTO act_officers_by_key (act_id, person_id) SELECT act_id, person_id FROM act_officers;
DROP TABLE act_officers;
ALTER TABLE act_officers_by_key RENAME TO act_officers;
CREATE INDEX act_officers_person ON act_officers (person_id);
