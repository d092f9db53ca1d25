-- When a year's plan or summary was first filed (TRN-6: 年初有计划, 年终有总结). Replacing the
-- text keeps it, so a plan filed after its due day stays late. A document filed before this
-- column existed takes its last replacement as its filing: the earliest time still known.
ALTER TABLE training_documents ADD COLUMN filed_at TIMESTAMP;
UPDATE training_documents SET filed_at = updated_at;
ALTER TABLE training_documents ALTER COLUMN filed_at SET NOT NULL;
