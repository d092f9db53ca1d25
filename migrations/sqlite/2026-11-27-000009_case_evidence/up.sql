-- Evidence files of accountability cases; a lifted training order (reversed on appeal).
CREATE TABLE case_attachments (
    case_id BIGINT NOT NULL REFERENCES acc_cases (id),
    attachment_id BIGINT NOT NULL REFERENCES attachments (id),
    PRIMARY KEY (case_id, attachment_id)
);
CREATE INDEX case_attachments_attachment ON case_attachments (attachment_id);
ALTER TABLE training_consequences ADD COLUMN lifted_on DATE;
