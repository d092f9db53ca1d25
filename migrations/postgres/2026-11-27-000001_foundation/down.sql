DROP FUNCTION IF EXISTS audit_log_append_only CASCADE;
DROP TABLE audit_log;
DROP TABLE certificate_status_changes;
DROP TABLE certificates;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE people;
DROP TABLE departments;
