ALTER TABLE acts DROP COLUMN disclosure_outdated_since;
