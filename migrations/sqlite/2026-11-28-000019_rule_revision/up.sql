-- A tag renewed on every change of the rule set or the calendar, so that a process may keep
-- both in memory and re-read them only when the tag moved (whoever changed them: this
-- process, another one, or SQL by hand). Random rather than counted: a tag is never taken
-- for another database's, not even a copy's that changed differently since.
CREATE TABLE rule_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    tag TEXT NOT NULL
);
INSERT INTO rule_revision (id, tag) VALUES (1, lower(hex(randomblob(16))));

CREATE TRIGGER rule_versions_inserted AFTER INSERT ON rule_versions
BEGIN UPDATE rule_revision SET tag = lower(hex(randomblob(16))); END;
CREATE TRIGGER rule_versions_updated AFTER UPDATE ON rule_versions
BEGIN UPDATE rule_revision SET tag = lower(hex(randomblob(16))); END;
CREATE TRIGGER rule_versions_deleted AFTER DELETE ON rule_versions
BEGIN UPDATE rule_revision SET tag = lower(hex(randomblob(16))); END;
CREATE TRIGGER calendar_years_inserted AFTER INSERT ON calendar_years
BEGIN UPDATE rule_revision SET tag = lower(hex(randomblob(16))); END;
CREATE TRIGGER calendar_years_updated AFTER UPDATE ON calendar_years
BEGIN UPDATE rule_revision SET tag = lower(hex(randomblob(16))); END;
CREATE TRIGGER calendar_years_deleted AFTER DELETE ON calendar_years
BEGIN UPDATE rule_revision SET tag = lower(hex(randomblob(16))); END;
CREATE TRIGGER calendar_days_inserted AFTER INSERT ON calendar_days
BEGIN UPDATE rule_revision SET tag = lower(hex(randomblob(16))); END;
CREATE TRIGGER calendar_days_updated AFTER UPDATE ON calendar_days
BEGIN UPDATE rule_revision SET tag = lower(hex(randomblob(16))); END;
CREATE TRIGGER calendar_days_deleted AFTER DELETE ON calendar_days
BEGIN UPDATE rule_revision SET tag = lower(hex(randomblob(16))); END;
