-- Knowledge base: tenants, documents and their chunks with vectors and
-- full-text vectors. The HNSW index is per embedding dimension (a partial
-- expression index made when a tenant first uses that dimension), so
-- tenants may use different embedding models in one table.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE kb_tenants (
	tenant     text PRIMARY KEY,
	model      text NOT NULL,
	dim        integer NOT NULL CHECK (dim > 0 AND dim <= 2000),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE kb_documents (
	tenant     text NOT NULL REFERENCES kb_tenants ON DELETE CASCADE,
	key        text NOT NULL,
	article_id text NOT NULL,
	lang       text NOT NULL,
	title      text NOT NULL,
	source     text NOT NULL,
	hash       text NOT NULL,
	chunks     integer NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant, key)
);

CREATE TABLE kb_chunks (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant    text NOT NULL,
	doc_key   text NOT NULL,
	ord       integer NOT NULL,
	lang      text NOT NULL,
	context   text NOT NULL, -- title and heading
	heading   text NOT NULL,
	body      text NOT NULL,
	hash      text NOT NULL,
	dim       integer NOT NULL,
	embedding vector NOT NULL,
	-- Full text per language: the mapping matches pgstore.TSConfig.
	tsv       tsvector GENERATED ALWAYS AS (to_tsvector(CASE lang
	              WHEN 'en' THEN 'english'::regconfig
	              WHEN 'fi' THEN 'finnish'::regconfig
	              WHEN 'sv' THEN 'swedish'::regconfig
	              ELSE 'simple'::regconfig END, context || ' ' || body)) STORED,
	UNIQUE (tenant, doc_key, hash),
	FOREIGN KEY (tenant, doc_key) REFERENCES kb_documents (tenant, key) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
	CHECK (vector_dims(embedding) = dim)
);

CREATE INDEX kb_chunks_tenant_lang ON kb_chunks (tenant, lang);
CREATE INDEX kb_chunks_tsv ON kb_chunks USING gin (tsv);
