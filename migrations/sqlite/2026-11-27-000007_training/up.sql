-- Study and training (TRN): plans and summaries, sessions and attendance, self-study, exams,
-- the consequences of TRN-7 and make-ups, note checks (SQLite).
CREATE TABLE training_documents (
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (year, kind)
);

CREATE TABLE training_sessions (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    form TEXT NOT NULL,
    content_areas TEXT NOT NULL,
    held_on DATE NOT NULL,
    hours_tenths BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX training_sessions_held ON training_sessions (held_on);

CREATE TABLE session_participants (
    session_id BIGINT NOT NULL REFERENCES training_sessions (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    attendance TEXT,
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX session_participants_person ON session_participants (person_id);

CREATE TABLE self_study (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id),
    studied_on DATE NOT NULL,
    hours_tenths BIGINT NOT NULL,
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX self_study_person ON self_study (person_id, studied_on);

CREATE TABLE exams (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    held_on DATE NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE exam_results (
    exam_id BIGINT NOT NULL REFERENCES exams (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    score BIGINT,
    absence TEXT,
    passed BOOLEAN NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    PRIMARY KEY (exam_id, person_id)
);
CREATE INDEX exam_results_person ON exam_results (person_id);

CREATE TABLE training_consequences (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id),
    kind TEXT NOT NULL,
    cause_kind TEXT NOT NULL,
    cause_id BIGINT NOT NULL,
    created_on DATE NOT NULL,
    fulfilled_kind TEXT,
    fulfilled_id BIGINT,
    fulfilled_on DATE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX training_consequences_person ON training_consequences (person_id, kind);

CREATE TABLE note_checks (
    id INTEGER PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id),
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    result TEXT NOT NULL,
    comment TEXT NOT NULL,
    checked_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX note_checks_person ON note_checks (person_id);
