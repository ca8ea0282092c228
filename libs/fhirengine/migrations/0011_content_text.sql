-- A resource's JSON is kept as the text the engine wrote (meta.versionId and meta.lastUpdated
-- set), not as jsonb. Every read, search page, include and export returned it as text, and
-- turning jsonb back into text cost more than finding the row (about 7 ms for one page with 442
-- included roles); every write paid for a parse the engine had already made. Nothing queries
-- inside content: searches read the index tables. Reads now return the text exactly as stored.
ALTER TABLE resource ALTER COLUMN content TYPE text USING content::text;
ALTER TABLE resource_history ALTER COLUMN content TYPE text USING content::text;
