DROP TABLE acc_respondents;
DROP TABLE acc_cases;
