-- EVAL-5(4)1 charges a reply not given by its deadline to the department that held the petition
-- when the deadline passed; a transfer afterwards must not move that charge to the new holder.
ALTER TABLE petitions ADD COLUMN lapsed_department_id BIGINT REFERENCES departments (id);
