DROP TRIGGER calendar_days_revised ON calendar_days;
DROP TRIGGER calendar_years_revised ON calendar_years;
DROP TRIGGER rule_versions_revised ON rule_versions;
DROP FUNCTION rule_revision_renew();
DROP TABLE rule_revision;
