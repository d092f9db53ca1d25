-- Fault accountability (ACC): cases, their respondents and their steps (PostgreSQL).
CREATE TABLE acc_cases (
    id BIGSERIAL PRIMARY KEY,
    status TEXT NOT NULL,
    source_kind TEXT NOT NULL,
    source_id BIGINT,
    fault_types TEXT NOT NULL,
    act_ids TEXT NOT NULL,
    facts TEXT NOT NULL,
    fault_on DATE NOT NULL,
    opinion TEXT,
    decision TEXT,
    decided_on DATE,
    served_on DATE,
    appeal TEXT,
    appeal_outcome TEXT,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX acc_cases_source ON acc_cases (source_kind, source_id);

CREATE TABLE acc_respondents (
    case_id BIGINT NOT NULL REFERENCES acc_cases (id),
    kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (case_id, kind, target_id)
);
CREATE INDEX acc_respondents_target ON acc_respondents (kind, target_id);
