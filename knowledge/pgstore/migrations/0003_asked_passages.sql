-- An article's "asked" passage (knowledge.Chunk.Asked) is found by how
-- callers ask for the article: its phrasings go into context, and its
-- full text is the context alone (its body repeats the lead passage,
-- which is searched on its own row). Production needs PostgreSQL 15+, so
-- the generated column is rebuilt rather than altered in place.
ALTER TABLE kb_chunks ADD COLUMN asked text NOT NULL DEFAULT '';
ALTER TABLE kb_chunks DROP COLUMN tsv;
ALTER TABLE kb_chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector(CASE lang
	WHEN 'en' THEN 'english'::regconfig
	WHEN 'fi' THEN 'finnish'::regconfig
	WHEN 'sv' THEN 'swedish'::regconfig
	ELSE 'simple'::regconfig END, CASE WHEN asked = '' THEN context || ' ' || body ELSE context END)) STORED;
CREATE INDEX kb_chunks_tsv ON kb_chunks USING gin (tsv);
ALTER TABLE kb_chunks ALTER COLUMN tsv SET STATISTICS 2000;
