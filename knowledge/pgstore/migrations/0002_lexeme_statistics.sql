-- Full-text search leaves out lexemes that occur in many chunks of the
-- language, judged from PostgreSQL's own statistics (pg_stats
-- most_common_elems). The default target keeps about 1,000 lexemes; a
-- large knowledge base needs more to see its common words.
ALTER TABLE kb_chunks ALTER COLUMN tsv SET STATISTICS 2000;
