-- Petitions and reports (信访、举报): intake, assignment, reply, marks (PostgreSQL).
CREATE TABLE petitions (
    id BIGSERIAL PRIMARY KEY,
    tracking_code TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    subject TEXT NOT NULL,
    content TEXT NOT NULL,
    contact TEXT,
    anonymous BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    department_id BIGINT REFERENCES departments (id),
    assigned_on DATE,
    reply_due_on DATE,
    rule_version BIGINT,
    reply TEXT,
    replied_on DATE,
    mishandled BOOLEAN NOT NULL DEFAULT FALSE,
    escalated BOOLEAN NOT NULL DEFAULT FALSE,
    received_on DATE NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX petitions_department ON petitions (department_id);
CREATE INDEX petitions_due ON petitions (status, reply_due_on);
