-- PUB-5 (执法决定发生变化时，公示的内容应随时调整并及时更新): the day an act's decision changed after it
-- was published, until a new version of its decision is published.
ALTER TABLE acts ADD COLUMN disclosure_outdated_since DATE;
