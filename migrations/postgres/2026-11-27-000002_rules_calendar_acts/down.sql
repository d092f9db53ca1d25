DROP TABLE act_reviews;
DROP TABLE act_officers;
DROP TABLE acts;
DROP TABLE calendar_days;
DROP TABLE calendar_years;
DROP TABLE rule_versions;
