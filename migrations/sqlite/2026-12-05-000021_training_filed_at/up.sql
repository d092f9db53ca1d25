-- When a year's plan or summary was first filed (TRN-6: 年初有计划, 年终有总结). Replacing the
-- text keeps it, so a plan filed after its due day stays late. A document filed before this
-- column existed takes its last replacement as its filing: the earliest time still known.
-- SQLite adds a NOT NULL column only with a default, so the table is rebuilt (same columns,
-- same key, `filed_at` last).
CREATE TABLE training_documents_filed (
    year INTEGER NOT NULL,
    kind TEXT NOT NULL,
    content TEXT NOT NULL,
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    filed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (year, kind)
);
INSERT INTO training_documents_filed (year, kind, content, updated_by, updated_at, filed_at)
    SELECT year, kind, content, updated_by, updated_at, updated_at FROM training_documents;
DROP TABLE training_documents;
ALTER TABLE training_documents_filed RENAME TO training_documents;
