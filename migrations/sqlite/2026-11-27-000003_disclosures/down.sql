DROP TABLE disclosure_takedowns;
DROP TABLE version_attachments;
DROP TABLE attachments;
DROP TABLE disclosure_versions;
DROP TABLE disclosures;
