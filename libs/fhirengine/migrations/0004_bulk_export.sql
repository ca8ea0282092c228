-- FHIR Bulk Data export ($export): a job per kick-off and its NDJSON files, kept in the database
-- so every replica of a service answers status and file requests for any job. Jobs and their
-- files are removed a day after they were started.
CREATE TABLE export_job (
  id text PRIMARY KEY,
  realm smallint NOT NULL,
  request text NOT NULL,
  types text[] NOT NULL,
  since timestamptz,
  status text NOT NULL CHECK (status IN ('running', 'complete', 'failed', 'cancelled')),
  transaction_time timestamptz NOT NULL,
  created timestamptz NOT NULL DEFAULT now(),
  finished timestamptz,
  progress text NOT NULL DEFAULT '',
  error text NOT NULL DEFAULT ''
);
CREATE INDEX export_job_created ON export_job (created);

CREATE TABLE export_file (
  job text NOT NULL REFERENCES export_job (id) ON DELETE CASCADE,
  n integer NOT NULL,
  type text NOT NULL,
  count integer NOT NULL,
  content text NOT NULL,
  PRIMARY KEY (job, n)
);
