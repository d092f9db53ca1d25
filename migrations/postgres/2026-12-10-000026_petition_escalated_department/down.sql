ALTER TABLE petitions DROP COLUMN escalated_department_id;
