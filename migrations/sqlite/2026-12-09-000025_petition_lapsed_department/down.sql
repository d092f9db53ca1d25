ALTER TABLE petitions DROP COLUMN lapsed_department_id;
