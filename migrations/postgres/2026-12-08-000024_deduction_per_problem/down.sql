DROP INDEX eval_deductions_evidence_once;
CREATE UNIQUE INDEX eval_deductions_evidence_once
    ON eval_deductions (evidence_kind, evidence_id) WHERE withdrawn_at IS NULL;
