ALTER TABLE training_consequences DROP COLUMN lifted_on;
DROP TABLE case_attachments;
