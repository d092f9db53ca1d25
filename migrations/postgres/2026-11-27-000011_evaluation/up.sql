-- Evaluation and assessment (EVAL): deductions on the score sheet, the annual procedure,
-- preliminary opinions and responses, qualitative items, leadership meetings (PostgreSQL).
CREATE TABLE eval_deductions (
    id BIGSERIAL PRIMARY KEY,
    year INTEGER NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    section TEXT NOT NULL,
    problem_type TEXT NOT NULL,
    evidence_kind TEXT NOT NULL,
    evidence_id BIGINT NOT NULL,
    penalty_procedure TEXT,
    points INTEGER NOT NULL,
    rule_version BIGINT NOT NULL,
    found_on DATE NOT NULL,
    note TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    withdrawn_on DATE,
    withdrawal_reason TEXT,
    withdrawn_by BIGINT REFERENCES users (id),
    withdrawn_at TIMESTAMP
);
-- EVAL-5: the same evidence counts once while its deduction stands.
CREATE UNIQUE INDEX eval_deductions_evidence_once
    ON eval_deductions (evidence_kind, evidence_id) WHERE withdrawn_at IS NULL;
CREATE INDEX eval_deductions_year ON eval_deductions (year, department_id);

CREATE TABLE eval_years (
    year INTEGER NOT NULL PRIMARY KEY,
    status TEXT NOT NULL,
    rule_version BIGINT,
    report TEXT,
    results TEXT,
    opened_by BIGINT REFERENCES users (id),
    opened_at TIMESTAMP NOT NULL,
    reported_at TIMESTAMP,
    finalized_by BIGINT REFERENCES users (id),
    finalized_at TIMESTAMP,
    published_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE eval_opinions (
    year INTEGER NOT NULL REFERENCES eval_years (year),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    opinion TEXT NOT NULL,
    fed_back_by BIGINT REFERENCES users (id),
    fed_back_at TIMESTAMP NOT NULL,
    response TEXT,
    responded_by BIGINT REFERENCES users (id),
    responded_at TIMESTAMP,
    PRIMARY KEY (year, department_id)
);

CREATE TABLE eval_qualitative (
    year INTEGER NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    item INTEGER NOT NULL,
    content TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (year, department_id, item)
);

CREATE TABLE eval_meetings (
    id BIGSERIAL PRIMARY KEY,
    held_on DATE NOT NULL,
    topic TEXT NOT NULL,
    minutes TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX eval_meetings_held ON eval_meetings (held_on);
