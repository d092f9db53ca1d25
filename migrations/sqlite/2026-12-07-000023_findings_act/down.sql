DROP INDEX findings_act;
