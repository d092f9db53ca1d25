-- EVAL-5(4)3 charges an escalation (越级上访) to the department whose handling caused it: the one
-- holding the petition when it was marked, whoever holds it after a transfer.
ALTER TABLE petitions ADD COLUMN escalated_department_id BIGINT REFERENCES departments (id);
UPDATE petitions SET escalated_department_id = department_id WHERE escalated;
