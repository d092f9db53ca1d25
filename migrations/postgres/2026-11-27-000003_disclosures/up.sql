-- Disclosure items (PUB), their versions, attachments and take-downs (PostgreSQL).
CREATE TABLE disclosures (
    id BIGSERIAL PRIMARY KEY,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    category TEXT NOT NULL,
    content_type TEXT NOT NULL,
    act_id BIGINT UNIQUE REFERENCES acts (id),
    public_version_id BIGINT,
    public_title TEXT,
    published_on DATE,
    public_until DATE,
    taken_down_at TIMESTAMP,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX disclosures_department ON disclosures (department_id, id);
CREATE INDEX disclosures_public ON disclosures (public_version_id);

CREATE TABLE disclosure_versions (
    id BIGSERIAL PRIMARY KEY,
    disclosure_id BIGINT NOT NULL REFERENCES disclosures (id),
    number BIGINT NOT NULL,
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    licensing TEXT,
    return_comment TEXT,
    withdraw_reason TEXT,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    published_at TIMESTAMP,
    published_by BIGINT REFERENCES users (id),
    UNIQUE (disclosure_id, number)
);

CREATE TABLE attachments (
    id BIGSERIAL PRIMARY KEY,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BYTEA NOT NULL,
    uploaded_by BIGINT REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL
);

CREATE TABLE version_attachments (
    version_id BIGINT NOT NULL REFERENCES disclosure_versions (id),
    attachment_id BIGINT NOT NULL REFERENCES attachments (id),
    purpose TEXT NOT NULL,
    PRIMARY KEY (version_id, attachment_id)
);
CREATE INDEX version_attachments_attachment ON version_attachments (attachment_id);

CREATE TABLE disclosure_takedowns (
    id BIGSERIAL PRIMARY KEY,
    disclosure_id BIGINT NOT NULL REFERENCES disclosures (id),
    version_id BIGINT NOT NULL REFERENCES disclosure_versions (id),
    reason_kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    taken_down_at TIMESTAMP NOT NULL
);
CREATE INDEX disclosure_takedowns_disclosure ON disclosure_takedowns (disclosure_id);
