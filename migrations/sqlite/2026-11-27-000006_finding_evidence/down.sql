DROP TABLE finding_attachments;
