-- A tag renewed on every change of the rule set or the calendar, so that a process may keep
-- both in memory and re-read them only when the tag moved (whoever changed them: this
-- process, another one, or SQL by hand). Random rather than counted: a tag is never taken
-- for another database's, not even a copy's that changed differently since.
CREATE TABLE rule_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    tag TEXT NOT NULL
);
INSERT INTO rule_revision (id, tag) VALUES (1, gen_random_uuid()::text);

CREATE FUNCTION rule_revision_renew() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rule_revision SET tag = gen_random_uuid()::text;
    RETURN NULL;
END
$$;

CREATE TRIGGER rule_versions_revised AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rule_versions
    FOR EACH STATEMENT EXECUTE FUNCTION rule_revision_renew();
CREATE TRIGGER calendar_years_revised AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_years
    FOR EACH STATEMENT EXECUTE FUNCTION rule_revision_renew();
CREATE TRIGGER calendar_days_revised AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_days
    FOR EACH STATEMENT EXECUTE FUNCTION rule_revision_renew();
