-- The rule set, the working-day calendar and the enforcement-act register (SQLite).
CREATE TABLE rule_versions (
    version BIGINT PRIMARY KEY,
    effective_from DATE NOT NULL UNIQUE,
    rule_values TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE calendar_days (
    day DATE PRIMARY KEY,
    year INTEGER NOT NULL REFERENCES calendar_years (year),
    kind TEXT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days (year);

CREATE TABLE acts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    penalty_procedure TEXT,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    counterpart_name TEXT NOT NULL,
    counterpart_type TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    decision_text TEXT NOT NULL,
    decision_date DATE NOT NULL,
    major BOOLEAN NOT NULL,
    filed_on DATE,
    status TEXT NOT NULL,
    revoked_reason TEXT,
    revoked_at TIMESTAMP,
    disclosure_due_on DATE NOT NULL,
    disclosure_rule_version BIGINT NOT NULL,
    disclosed_on DATE,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX acts_department ON acts (department_id, id);
CREATE INDEX acts_disclosure ON acts (status, disclosed_on, disclosure_due_on);
CREATE INDEX acts_decision_date ON acts (decision_date);

CREATE TABLE act_officers (
    act_id BIGINT NOT NULL REFERENCES acts (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (act_id, person_id)
);
CREATE INDEX act_officers_person ON act_officers (person_id);

CREATE TABLE act_reviews (
    id INTEGER PRIMARY KEY,
    act_id BIGINT NOT NULL REFERENCES acts (id),
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    decided_on DATE NOT NULL,
    note TEXT NOT NULL,
    recorded_by BIGINT REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX act_reviews_act ON act_reviews (act_id);
