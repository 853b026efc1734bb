package knowledge

import (
	"context"
	"strings"
	"time"
)

// DefaultTenant is the knowledge base used when none is named.
const DefaultTenant = "default"

// DocInfo is a stored document. Key is unique per tenant ("lang/id"): one
// article id exists once per language, and answers cite ArticleID.
type DocInfo struct {
	Key       string
	ArticleID string
	Lang      string
	Title     string
	Source    string // where it was ingested from (a path, or embedded:...)
	Hash      string // of the whole file: an unchanged file is skipped
	Chunks    int
	UpdatedAt time.Time
}

// DocKey is the key of article id in lang.
func DocKey(lang, id string) string { return lang + "/" + id }

// Hit is a chunk found by a search. Score is the store's own (cosine for
// vector search, its text rank for full text); only the order matters to
// the hybrid ranking.
type Hit struct {
	DocKey, ArticleID, Lang, Title, Heading, Text, Source string
	Asked                                                 string // the phrasings of an asked passage (Chunk.Asked)
	Ord                                                   int
	Score                                                 float64
}

// Stats counts a tenant's documents and chunks.
type Stats struct {
	Tenant         string
	EmbeddingModel string
	Dim            int
	Documents      int
	Chunks         int
	ByLang         map[string]Count
	BySource       map[string]Count // by top directory of the source
}

// Count is documents and chunks.
type Count struct{ Documents, Chunks int }

// Store keeps documents, chunks and their vectors for many tenants, which
// never see each other's data. Two implementations pass one conformance
// suite (knowledge/storetest): PostgreSQL + pgvector (knowledge/pgstore)
// and the embedded SQLite store (knowledge/sqlitestore).
type Store interface {
	// UseEmbedding records the tenant's embedding model and dimension on
	// first use, and refuses another one afterwards (ErrEmbeddingMismatch).
	UseEmbedding(ctx context.Context, tenant, model string, dim int) error
	// Embedding returns the tenant's recorded model ("" when it has none).
	Embedding(ctx context.Context, tenant string) (model string, dim int, err error)
	Doc(ctx context.Context, tenant, key string) (DocInfo, bool, error)
	Docs(ctx context.Context, tenant string) ([]DocInfo, error)
	// Begin starts replacing one document; nothing is visible until
	// Commit, and a failed or abandoned write leaves the previous version.
	Begin(ctx context.Context, tenant string, doc DocInfo) (DocWriter, error)
	Delete(ctx context.Context, tenant, key string) error
	// VectorSearch returns the k chunks of lang nearest to vec by cosine.
	VectorSearch(ctx context.Context, tenant, lang string, vec []float32, k int) ([]Hit, error)
	// TextSearch ranks chunks of lang by full-text match with any of the
	// content words (lower-case, stop words removed).
	TextSearch(ctx context.Context, tenant, lang string, terms []string, k int) ([]Hit, error)
	Stats(ctx context.Context, tenant string) (Stats, error)
	// DropTenant removes a tenant with all its documents and its recorded
	// embedding model.
	DropTenant(ctx context.Context, tenant string) error
	Close() error
}

// DocWriter writes one document in one transaction.
type DocWriter interface {
	// Existing is the set of chunk hashes the previous version has.
	Existing() map[string]bool
	// Put adds chunks: those with an embedding are new; those without must
	// be in Existing and are kept (their position updated).
	Put(ctx context.Context, chunks []Chunk) error
	// Commit removes the previous version's chunks that were not kept and
	// makes the document visible.
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// ContentTerms are a question's content words for full-text search.
func ContentTerms(q, lang string) []string {
	seen := map[string]bool{}
	var out []string
	stop := stopwords[lang]
	if stop == nil {
		stop = allStopwords
	}
	for _, w := range words(q) {
		if stop[w] || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out
}

// SourceGroup is the part of a source that stats group by: its directory.
func SourceGroup(src string) string {
	if i := strings.LastIndexByte(src, '/'); i > 0 {
		return src[:i]
	}
	return src
}

// StoreStats counts a tenant's documents and chunks in any store.
func StoreStats(ctx context.Context, s interface {
	Embedding(ctx context.Context, tenant string) (string, int, error)
	Docs(ctx context.Context, tenant string) ([]DocInfo, error)
}, tenant string) (Stats, error) {
	model, dim, err := s.Embedding(ctx, tenant)
	if err != nil {
		return Stats{}, err
	}
	docs, err := s.Docs(ctx, tenant)
	if err != nil {
		return Stats{}, err
	}
	return StatsOf(tenant, model, dim, docs), nil
}

// StatsOf counts a tenant's documents per language and source directory.
func StatsOf(tenant, model string, dim int, docs []DocInfo) Stats {
	st := Stats{Tenant: tenant, EmbeddingModel: model, Dim: dim, ByLang: map[string]Count{}, BySource: map[string]Count{}}
	for _, d := range docs {
		st.Documents++
		st.Chunks += d.Chunks
		for _, g := range []struct {
			m map[string]Count
			k string
		}{{st.ByLang, d.Lang}, {st.BySource, SourceGroup(d.Source)}} {
			c := g.m[g.k]
			c.Documents++
			c.Chunks += d.Chunks
			g.m[g.k] = c
		}
	}
	return st
}
