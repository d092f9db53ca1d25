-- SUP-8 material requests, SUP-10 supervision documents and receipts, SUP-9 trend analyses,
-- finding evidence (SQLite).
CREATE TABLE material_requests (
    id INTEGER PRIMARY KEY,
    inspection_id BIGINT NOT NULL REFERENCES inspections (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    description TEXT NOT NULL,
    deadline DATE NOT NULL,
    status TEXT NOT NULL,
    response TEXT,
    responded_by BIGINT REFERENCES users (id),
    responded_on DATE,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX material_requests_department ON material_requests (department_id);
CREATE INDEX material_requests_inspection ON material_requests (inspection_id);

CREATE TABLE supervision_documents (
    id INTEGER PRIMARY KEY,
    inspection_id BIGINT NOT NULL UNIQUE REFERENCES inspections (id),
    number TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    seq BIGINT NOT NULL,
    content TEXT NOT NULL,
    issued_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (year, seq)
);

CREATE TABLE document_targets (
    document_id BIGINT NOT NULL REFERENCES supervision_documents (id),
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    received_on DATE,
    received_by TEXT,
    recorded_by BIGINT REFERENCES users (id),
    PRIMARY KEY (document_id, target_kind, target_id)
);
CREATE INDEX document_targets_department ON document_targets (department_id);

CREATE TABLE trend_analyses (
    id INTEGER PRIMARY KEY,
    period_from DATE NOT NULL,
    period_to DATE NOT NULL,
    analysis TEXT NOT NULL,
    measures TEXT NOT NULL,
    recommendations TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
