DROP TABLE rectifications;
DROP TABLE measures;
DROP TABLE findings;
DROP TABLE inspection_samples;
DROP TABLE inspection_inspectors;
DROP TABLE inspection_scope;
DROP TABLE inspections;
