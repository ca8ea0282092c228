-- A type's history (GET [base]/[type]/_history), newest first and paged by position: without
-- this index every page sorted all the versions of the type (a directory's 200,000 roles).
CREATE INDEX resource_history_by_time
  ON resource_history (realm, type, last_updated DESC, id DESC, version DESC);
