DROP TABLE baseline_writes;
