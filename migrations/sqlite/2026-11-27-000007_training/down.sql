DROP TABLE note_checks;
DROP TABLE training_consequences;
DROP TABLE exam_results;
DROP TABLE exams;
DROP TABLE self_study;
DROP TABLE session_participants;
DROP TABLE training_sessions;
DROP TABLE training_documents;
