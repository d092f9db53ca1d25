DROP TABLE trend_analyses;
DROP TABLE document_targets;
DROP TABLE supervision_documents;
DROP TABLE material_requests;
