-- A deduction's write looks up the findings about its act (one problem of one act counts once).
CREATE INDEX findings_act ON findings (act_id);
