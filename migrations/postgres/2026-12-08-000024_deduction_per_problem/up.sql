-- EVAL-5 deducts per problem found (每处/每件): one act or petition may show several problems,
-- each counted once while its deduction stands.
DROP INDEX eval_deductions_evidence_once;
CREATE UNIQUE INDEX eval_deductions_evidence_once
    ON eval_deductions (evidence_kind, evidence_id, problem_type) WHERE withdrawn_at IS NULL;
