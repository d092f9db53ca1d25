-- Supervision and inspection (SUP): inspections, their scope and inspectors, sample draws,
-- findings, handling measures and rectification (PostgreSQL).
CREATE TABLE inspections (
    id BIGSERIAL PRIMARY KEY,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    status TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    started_at TIMESTAMP,
    concluded_at TIMESTAMP,
    conclusion TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (period_to >= period_from)
);
CREATE INDEX inspections_kind_period ON inspections (kind, period_from);

CREATE TABLE inspection_scope (
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    PRIMARY KEY (inspection_id, target_kind, target_id)
);

CREATE TABLE inspection_inspectors (
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    person_id BIGINT NOT NULL REFERENCES people (id),
    PRIMARY KEY (inspection_id, person_id)
);

CREATE TABLE inspection_samples (
    id BIGSERIAL PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    seed TEXT NOT NULL,
    size BIGINT NOT NULL,
    filters TEXT NOT NULL,
    population BIGINT NOT NULL,
    act_ids TEXT NOT NULL,
    drawn_by BIGINT REFERENCES users (id),
    drawn_at TIMESTAMP NOT NULL
);

CREATE TABLE findings (
    id BIGSERIAL PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    checklist_item INTEGER NOT NULL,
    description TEXT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    officer_id BIGINT REFERENCES people (id),
    act_id BIGINT REFERENCES acts (id),
    found_on DATE NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX findings_inspection ON findings (inspection_id);
CREATE INDEX findings_department ON findings (department_id, found_on);

CREATE TABLE measures (
    id BIGSERIAL PRIMARY KEY,
    finding_id BIGINT NOT NULL REFERENCES findings (id),
    item INTEGER NOT NULL,
    action TEXT NOT NULL,
    deadline DATE,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    certificate_id BIGINT REFERENCES certificates (id),
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX measures_finding ON measures (finding_id);
CREATE INDEX measures_open ON measures (status, deadline);

CREATE TABLE rectifications (
    id BIGSERIAL PRIMARY KEY,
    measure_id BIGINT NOT NULL REFERENCES measures (id),
    report TEXT NOT NULL,
    reported_by BIGINT REFERENCES users (id),
    reported_at TIMESTAMP NOT NULL,
    accepted BOOLEAN,
    comment TEXT,
    verified_by BIGINT REFERENCES users (id),
    verified_at TIMESTAMP
);
CREATE INDEX rectifications_measure ON rectifications (measure_id);
