-- Rows of the write baseline `bench/load.sh` measures writes against (`serve --bench-baseline`,
-- `POST /bench/insert`): one single-row INSERT, no audit. Empty unless that flag was used.
CREATE TABLE baseline_writes (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL
);
