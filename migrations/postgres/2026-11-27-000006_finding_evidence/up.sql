-- Evidence attached to supervision findings.
CREATE TABLE finding_attachments (
    finding_id BIGINT NOT NULL REFERENCES findings (id),
    attachment_id BIGINT NOT NULL REFERENCES attachments (id),
    PRIMARY KEY (finding_id, attachment_id)
);
CREATE INDEX finding_attachments_attachment ON finding_attachments (attachment_id);
