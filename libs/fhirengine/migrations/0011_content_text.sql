-- A resource's JSON is kept as the text the engine wrote (meta.versionId and meta.lastUpdated
-- set), not as jsonb. Every read, search page, include and export returned it as text, and
-- turning jsonb back into text cost more than finding the row (about 7 ms for one page with 442
-- included roles); every write paid for a parse the engine had already made. Nothing queries
-- inside content: searches read the index tables. Reads now return the text exactly as stored.
-- Large resources (over about 2 kB) are compressed with lz4 where the server has it: reading
-- them back costs a third less than with the default pglz, for about 15% more space.
DO $$
BEGIN
  ALTER TABLE resource ALTER COLUMN content TYPE text USING content::text,
    ALTER COLUMN content SET COMPRESSION lz4;
  ALTER TABLE resource_history ALTER COLUMN content TYPE text USING content::text,
    ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN  -- a server built without lz4
  ALTER TABLE resource ALTER COLUMN content TYPE text USING content::text;
  ALTER TABLE resource_history ALTER COLUMN content TYPE text USING content::text;
END $$;
