DROP TABLE eval_meetings;
DROP TABLE eval_qualitative;
DROP TABLE eval_opinions;
DROP TABLE eval_years;
DROP TABLE eval_deductions;
