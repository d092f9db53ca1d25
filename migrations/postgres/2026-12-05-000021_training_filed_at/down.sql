ALTER TABLE training_documents DROP COLUMN filed_at;
