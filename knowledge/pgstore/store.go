// Package pgstore is the production knowledge store: PostgreSQL with
// pgvector through pgx. Versioned migrations (migrations/*.sql) run on
// Open; chunks are bulk-loaded with COPY; vector search uses an HNSW index
// with cosine distance, full-text search the per-language configurations
// (finnish, swedish, english; simple for Latvian); every query is scoped to
// one tenant.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxvec "github.com/pgvector/pgvector-go/pgx"

	"github.com/pgvector/pgvector-go"
	"github.com/vastaa/vastaa/knowledge"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Store is the PostgreSQL knowledge store.
type Store struct {
	pool *pgxpool.Pool
	// EfSearch is HNSW's candidate list size per query (recall against speed).
	efSearch int
	// deferIndex leaves the vector index to EndBulk (bulk loads).
	deferIndex bool
	indexes    sync.Map // names of vector indexes known to exist
	lexStats   atomic.Value

	// Each question used to cost two round trips before its searches (the
	// tenant's embedding, the words' lexemes); both are remembered.
	mu         sync.Mutex
	embeddings map[string]tenantEmbedding // tenant -> model and dimension, for embeddingTTL
	lexemes    map[string][]string        // configuration and word -> its lexemes (to_tsvector)
}

type tenantEmbedding struct {
	model string
	dim   int
	at    time.Time
}

// embeddingTTL bounds how long another process's change to a tenant
// (dropped and made again with another model) goes unseen.
const embeddingTTL = 5 * time.Second

// maxCachedWords bounds the lexeme cache; it starts over when full.
const maxCachedWords = 50000

// Open connects, registers the vector type and brings the schema up to date.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("knowledge store: %w", err)
	}
	s := &Store{efSearch: 100}
	if err := migrate(ctx, cfg.ConnConfig); err != nil {
		return nil, err
	}
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		if err := pgxvec.RegisterTypes(ctx, c); err != nil {
			return err
		}
		// Filtered HNSW scans (by tenant and language) keep scanning until
		// they have enough rows instead of returning too few (pgvector 0.8).
		_, err := c.Exec(ctx, "SET hnsw.iterative_scan = relaxed_order; SET hnsw.ef_search = "+strconv.Itoa(s.efSearch))
		return err
	}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("knowledge store: %w", err)
	}
	if err := s.pool.Ping(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("knowledge store: %w", err)
	}
	return s, nil
}

// Pool is the connection pool (for benchmarks and maintenance).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

func (s *Store) Close() error { s.pool.Close(); return nil }

// migrate applies the migrations not yet applied, each in its own
// transaction, under an advisory lock so concurrent starts take turns.
func migrate(ctx context.Context, cc *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return fmt.Errorf("knowledge store: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7420117)`); err != nil {
		return fmt.Errorf("knowledge store: migration lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7420117)`)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS kb_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("knowledge store: %w", err)
	}
	names, err := fs.Glob(migrationsFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		var done bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM kb_schema_migrations WHERE version = $1)`, v).Scan(&done); err != nil {
			return err
		}
		if done {
			continue
		}
		sql, err := migrationsFS.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, string(sql)); err != nil {
			tx.Rollback(ctx)
			return fmt.Errorf("knowledge store: migration %s: %w", base, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kb_schema_migrations (version, name) VALUES ($1, $2)`, v, base); err != nil {
			tx.Rollback(ctx)
			return err
		}
		if err := tx.Commit(ctx); err != nil {
			return err
		}
	}
	return nil
}

// TSConfig is the full-text configuration for a language (the same mapping
// is in the generated tsv column of migrations/0001_init.sql).
func TSConfig(lang string) string {
	switch lang {
	case "en":
		return "english"
	case "fi":
		return "finnish"
	case "sv":
		return "swedish"
	}
	return "simple" // Latvian and any language PostgreSQL has no stemmer for
}

func (s *Store) UseEmbedding(ctx context.Context, tenant, model string, dim int) error {
	if dim <= 0 || dim > 2000 {
		return fmt.Errorf("knowledge store: embedding dimension %d out of range (1-2000 for an HNSW index)", dim)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO kb_tenants (tenant, model, dim) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, tenant, model, dim); err != nil {
		return fmt.Errorf("knowledge store: %w", err)
	}
	have, hdim, err := s.Embedding(ctx, tenant)
	if err != nil {
		return err
	}
	if have != model || hdim != dim {
		return knowledge.MismatchError(tenant, have, hdim, model, dim)
	}
	return nil
}

// validLang guards the language codes written into index names and
// predicates: two or three lower-case letters.
func validLang(lang string) error {
	if len(lang) < 2 || len(lang) > 3 || strings.IndexFunc(lang, func(r rune) bool { return r < 'a' || r > 'z' }) >= 0 {
		return fmt.Errorf("knowledge store: invalid language code %q", lang)
	}
	return nil
}

func indexName(dim int, lang string) string { return fmt.Sprintf("kb_chunks_hnsw_%d_%s", dim, lang) }

// ensureIndex makes the HNSW index for one dimension and language: a
// partial expression index, so a search filtered by language walks a
// graph of that language only (a filtered scan over a graph of every
// language may have to visit most of it).
func (s *Store) ensureIndex(ctx context.Context, dim int, lang string) error {
	name := indexName(dim, lang)
	if _, ok := s.indexes.Load(name); ok {
		return nil
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = $1)`, name).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		if s.deferIndex {
			return nil
		}
		if _, err := s.pool.Exec(ctx, createIndexSQL(dim, lang)); err != nil {
			return fmt.Errorf("knowledge store: creating the vector index: %w", err)
		}
		// A bulk load that ended without building its indexes (killed)
		// left the full-text index missing too.
		if _, err := s.pool.Exec(ctx, textIndexSQL); err != nil {
			return fmt.Errorf("knowledge store: creating the full-text index: %w", err)
		}
	}
	s.indexes.Store(name, true)
	return nil
}

func createIndexSQL(dim int, lang string) string {
	return fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON kb_chunks USING hnsw ((embedding::vector(%d)) vector_cosine_ops) WHERE dim = %d AND lang = '%s'`,
		indexName(dim, lang), dim, dim, lang)
}

func (s *Store) Embedding(ctx context.Context, tenant string) (string, int, error) {
	s.mu.Lock()
	e, ok := s.embeddings[tenant]
	s.mu.Unlock()
	if ok && time.Since(e.at) < embeddingTTL {
		return e.model, e.dim, nil
	}
	var model string
	var dim int
	err := s.pool.QueryRow(ctx, `SELECT model, dim FROM kb_tenants WHERE tenant = $1`, tenant).Scan(&model, &dim)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", 0, nil // not remembered: another process may make it any moment
	}
	if err != nil {
		return "", 0, err
	}
	s.mu.Lock()
	if s.embeddings == nil {
		s.embeddings = map[string]tenantEmbedding{}
	}
	s.embeddings[tenant] = tenantEmbedding{model, dim, time.Now()}
	s.mu.Unlock()
	return model, dim, nil
}

// wordLexemes is to_tsvector of each word under the configuration, from
// the cache or in one query for the words not in it.
func (s *Store) wordLexemes(ctx context.Context, cfg string, words []string) ([]string, error) {
	var out, missing []string
	s.mu.Lock()
	for _, w := range words {
		if ls, ok := s.lexemes[cfg+"\x00"+w]; ok {
			out = append(out, ls...)
		} else {
			missing = append(missing, w)
		}
	}
	s.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT w, ARRAY(SELECT lexeme FROM unnest(to_tsvector($1::regconfig, w))) FROM unnest($2::text[]) AS w`, cfg, missing)
	if err != nil {
		return nil, err
	}
	type wl struct {
		w  string
		ls []string
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (wl, error) {
		var x wl
		err := r.Scan(&x.w, &x.ls)
		return x, err
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.lexemes == nil || len(s.lexemes)+len(got) > maxCachedWords {
		s.lexemes = map[string][]string{}
	}
	for _, x := range got {
		s.lexemes[cfg+"\x00"+x.w] = x.ls
		out = append(out, x.ls...)
	}
	s.mu.Unlock()
	return out, nil
}

const docCols = `key, article_id, lang, title, source, hash, chunks, updated_at`

func scanDoc(row pgx.Row) (knowledge.DocInfo, error) {
	var d knowledge.DocInfo
	err := row.Scan(&d.Key, &d.ArticleID, &d.Lang, &d.Title, &d.Source, &d.Hash, &d.Chunks, &d.UpdatedAt)
	return d, err
}

func (s *Store) Doc(ctx context.Context, tenant, key string) (knowledge.DocInfo, bool, error) {
	d, err := scanDoc(s.pool.QueryRow(ctx, `SELECT `+docCols+` FROM kb_documents WHERE tenant = $1 AND key = $2`, tenant, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, false, nil
	}
	return d, err == nil, err
}

func (s *Store) Docs(ctx context.Context, tenant string) ([]knowledge.DocInfo, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+docCols+` FROM kb_documents WHERE tenant = $1 ORDER BY key`, tenant)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.DocInfo, error) { return scanDoc(r) })
}

func (s *Store) Delete(ctx context.Context, tenant, key string) error {
	// Chunks go with their document (ON DELETE CASCADE).
	_, err := s.pool.Exec(ctx, `DELETE FROM kb_documents WHERE tenant = $1 AND key = $2`, tenant, key)
	return err
}

// Begin opens the document's transaction and locks the document, so two
// ingest runs writing the same document take turns.
func (s *Store) Begin(ctx context.Context, tenant string, doc knowledge.DocInfo) (knowledge.DocWriter, error) {
	var dim int
	if err := s.pool.QueryRow(ctx, `SELECT dim FROM kb_tenants WHERE tenant = $1`, tenant).Scan(&dim); err != nil {
		return nil, fmt.Errorf("knowledge store: tenant %q has no embedding model recorded: %w", tenant, err)
	}
	if err := validLang(doc.Lang); err != nil {
		return nil, err
	}
	if err := s.ensureIndex(ctx, dim, doc.Lang); err != nil {
		return nil, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	w := &writer{tx: tx, tenant: tenant, doc: doc, dim: dim, existing: map[string]bool{}, kept: map[string]bool{}}
	fail := func(err error) (knowledge.DocWriter, error) {
		tx.Rollback(context.WithoutCancel(ctx))
		return nil, err
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, tenant, doc.Key); err != nil {
		return fail(err)
	}
	rows, err := tx.Query(ctx, `SELECT hash FROM kb_chunks WHERE tenant = $1 AND doc_key = $2`, tenant, doc.Key)
	if err != nil {
		return fail(err)
	}
	hashes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fail(err)
	}
	for _, h := range hashes {
		w.existing[h] = true
	}
	return w, nil
}

type writer struct {
	tx       pgx.Tx
	tenant   string
	doc      knowledge.DocInfo
	dim      int
	existing map[string]bool
	kept     map[string]bool
}

func (w *writer) Existing() map[string]bool { return w.existing }

var chunkCols = []string{"tenant", "doc_key", "ord", "lang", "context", "heading", "body", "hash", "dim", "embedding", "asked"}

// Put bulk-loads new chunks with COPY and renumbers kept ones.
func (w *writer) Put(ctx context.Context, chunks []knowledge.Chunk) error {
	var rows [][]any
	var keptHash []string
	var keptOrd []int32
	ctxText := knowledge.EmbedText(w.doc.Title, "", "")
	for _, c := range chunks {
		w.kept[c.Hash] = true
		if c.Embedding == nil {
			if !w.existing[c.Hash] {
				return fmt.Errorf("chunk %d of %s has no embedding", c.Ord, w.doc.Key)
			}
			keptHash = append(keptHash, c.Hash)
			keptOrd = append(keptOrd, int32(c.Ord))
			continue
		}
		if len(c.Embedding) != w.dim {
			return fmt.Errorf("chunk %d of %s: vector of dimension %d, the knowledge base uses %d", c.Ord, w.doc.Key, len(c.Embedding), w.dim)
		}
		cx := ctxText
		if c.Heading != "" {
			cx += c.Heading + "."
		}
		if c.Asked != "" {
			cx = knowledge.IndexText(w.doc.Title, c)
		}
		rows = append(rows, []any{w.tenant, w.doc.Key, int32(c.Ord), w.doc.Lang, cx, c.Heading, c.Text, c.Hash, int32(w.dim), pgvector.NewVector(c.Embedding), c.Asked})
	}
	if len(keptHash) > 0 {
		_, err := w.tx.Exec(ctx, `UPDATE kb_chunks c SET ord = u.ord FROM unnest($3::text[], $4::int[]) AS u(hash, ord)
			WHERE c.tenant = $1 AND c.doc_key = $2 AND c.hash = u.hash`, w.tenant, w.doc.Key, keptHash, keptOrd)
		if err != nil {
			return err
		}
	}
	if len(rows) > 0 {
		if _, err := w.tx.CopyFrom(ctx, pgx.Identifier{"kb_chunks"}, chunkCols, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("knowledge store: copying chunks: %w", err)
		}
	}
	return nil
}

func (w *writer) Commit(ctx context.Context) error {
	var keep []string
	for h := range w.kept {
		keep = append(keep, h)
	}
	if _, err := w.tx.Exec(ctx, `DELETE FROM kb_chunks WHERE tenant = $1 AND doc_key = $2 AND NOT (hash = ANY($3))`, w.tenant, w.doc.Key, keep); err != nil {
		return err
	}
	d := w.doc
	_, err := w.tx.Exec(ctx, `INSERT INTO kb_documents (tenant, key, article_id, lang, title, source, hash, chunks, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
		ON CONFLICT (tenant, key) DO UPDATE SET article_id = excluded.article_id, lang = excluded.lang, title = excluded.title,
		source = excluded.source, hash = excluded.hash, chunks = excluded.chunks, updated_at = excluded.updated_at`,
		w.tenant, d.Key, d.ArticleID, d.Lang, d.Title, d.Source, d.Hash, len(w.kept))
	if err != nil {
		return err
	}
	return w.tx.Commit(ctx)
}

func (w *writer) Rollback(ctx context.Context) error {
	err := w.tx.Rollback(ctx)
	if errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return err
}

const hitCols = `c.doc_key, d.article_id, c.lang, d.title, c.heading, c.body, d.source, c.ord, c.asked`

func scanHits(rows pgx.Rows) ([]knowledge.Hit, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (knowledge.Hit, error) {
		var h knowledge.Hit
		var ord int32
		err := r.Scan(&h.DocKey, &h.ArticleID, &h.Lang, &h.Title, &h.Heading, &h.Text, &h.Source, &ord, &h.Asked, &h.Score)
		h.Ord = int(ord)
		return h, err
	})
}

// VectorSearch uses the HNSW index of the vector's dimension; the inner
// query is ordered again because relaxed iterative scans may return rows
// slightly out of order.
func (s *Store) VectorSearch(ctx context.Context, tenant, lang string, vec []float32, k int) ([]knowledge.Hit, error) {
	if k <= 0 || len(vec) == 0 {
		return nil, nil
	}
	if err := validLang(lang); err != nil {
		return nil, err
	}
	dim := len(vec)
	// Dimension and language are literals so the planner can match the
	// partial index of that language.
	q := fmt.Sprintf(`SELECT %s, 1 - dist FROM (
		SELECT c.*, c.embedding::vector(%d) <=> $2 AS dist FROM kb_chunks c
		WHERE c.tenant = $1 AND c.dim = %d AND c.lang = '%s'
		ORDER BY c.embedding::vector(%d) <=> $2 LIMIT $3) c
		JOIN kb_documents d ON d.tenant = c.tenant AND d.key = c.doc_key
		ORDER BY dist`, hitCols, dim, dim, lang, dim)
	rows, err := s.pool.Query(ctx, q, tenant, pgvector.NewVector(vec), k)
	if err != nil {
		return nil, fmt.Errorf("knowledge store: vector search: %w", err)
	}
	return scanHits(rows)
}

// TextSearch matches any of the terms, each stemmed by the language's
// configuration and also as a prefix (which reaches compounds and the
// inflections a stemmer misses), ranked by ts_rank_cd.
func (s *Store) TextSearch(ctx context.Context, tenant, lang string, terms []string, k int) ([]knowledge.Hit, error) {
	var words []string
	for _, t := range terms {
		if t == "" || strings.IndexFunc(t, func(r rune) bool { return !isWordRune(r) }) >= 0 {
			continue // ContentTerms gives letters and digits only; anything else is not trusted
		}
		words = append(words, t)
		// A compound's parts are words of their own to the configuration's
		// stemmer ("hammaslääkärille" finds "lääkäri" and "hammas").
		words = append(words, knowledge.CompoundParts(lang, t)...)
	}
	if len(words) == 0 || k <= 0 {
		return nil, nil
	}
	// The language's configuration stems the words into lexemes.
	lexemes, err := s.wordLexemes(ctx, TSConfig(lang), words)
	if err != nil {
		return nil, fmt.Errorf("knowledge store: full-text search: %w", err)
	}
	// The same lexeme from two words is one term.
	sort.Strings(lexemes)
	lexemes = slices.Compact(lexemes)
	type term struct {
		q    string
		freq float64
	}
	common := s.commonLexemes(ctx)
	var ts []term
	for _, l := range lexemes {
		ts = append(ts, term{quoteLexeme(l), common.freq(l, lang)})
	}
	// Prefixes of long words reach compounds and inflections the stemmer
	// misses ("aukio" in "aukioloajat").
	for _, w := range words {
		if r := []rune(w); len(r) >= 6 {
			p := string(r[:5])
			ts = append(ts, term{quoteLexeme(p) + ":*", common.prefixFreq(p, lang)})
		}
	}
	if len(ts) == 0 {
		return nil, nil
	}
	// Words in more than a twentieth of the language's chunks say little
	// about which chunk answers (like stop words) and make the ranking touch
	// much of the table: they are left out, and so are the commonest of the
	// rest once the terms would match more than 3% of the chunks, keeping
	// at least the two rarest terms: ranking is paid per matching row, and
	// the vector search already weighs the common words (at 100,000 chunks,
	// 3% instead of 10% halved full text's p99 with the same recall on the
	// labelled questions). The frequencies are PostgreSQL's own statistics
	// (ANALYZE).
	sort.SliceStable(ts, func(i, j int) bool { return ts[i].freq < ts[j].freq })
	var parts []string
	var share float64
	for i, t := range ts {
		if i >= 2 && (t.freq > 0.05 || share+t.freq > 0.03) {
			break
		}
		parts = append(parts, t.q)
		share += t.freq
	}
	// Rank on the chunks table alone (GIN bitmap scan, then tenant and
	// language), and join the documents only for the k winners.
	q := `SELECT ` + hitCols + `, c.rank FROM (
		SELECT c.*, ts_rank_cd(c.tsv, q.q) AS rank
		FROM kb_chunks c, CAST($3 AS tsquery) AS q(q)
		WHERE c.tsv @@ q.q AND c.tenant = $1 AND c.lang = $2
		ORDER BY rank DESC, c.id LIMIT $4) c
		JOIN kb_documents d ON d.tenant = c.tenant AND d.key = c.doc_key
		ORDER BY c.rank DESC, c.id`
	rows, err := s.pool.Query(ctx, q, tenant, lang, strings.Join(parts, " | "), k)
	if err != nil {
		return nil, fmt.Errorf("knowledge store: full-text search: %w", err)
	}
	return scanHits(rows)
}

// quoteLexeme quotes a lexeme for tsquery input (no further stemming).
func quoteLexeme(l string) string { return "'" + strings.ReplaceAll(l, "'", "''") + "'" }

// lexemeStats are PostgreSQL's own statistics of the most common lexemes
// in kb_chunks.tsv (pg_stats, kept by ANALYZE), refreshed once a minute.
type lexemeStats struct {
	at        time.Time
	freqs     map[string]float64 // share of all chunks holding the lexeme
	langShare map[string]float64 // share of all chunks in each language
	sorted    []string           // the lexemes of freqs, sorted
	cum       []float64          // cum[i]: sum of the shares of sorted[:i]
}

// freq is the share of lang's chunks holding lexeme l (lexemes are
// language-specific, so a lexeme's chunks are taken to be of lang).
func (ls *lexemeStats) freq(l, lang string) float64 {
	if ls == nil {
		return 0
	}
	return ls.ofLang(ls.freqs[l], lang)
}

// prefixFreq sums the shares of the lexemes starting with p: a binary
// search for the range in the sorted lexemes and a difference of running
// sums (it was a walk over every lexeme, a millisecond per question).
func (ls *lexemeStats) prefixFreq(p, lang string) float64 {
	if ls == nil {
		return 0
	}
	lo := sort.SearchStrings(ls.sorted, p)
	hi := lo + sort.Search(len(ls.sorted)-lo, func(i int) bool { return !strings.HasPrefix(ls.sorted[lo+i], p) })
	return ls.ofLang(ls.cum[hi]-ls.cum[lo], lang)
}

// index sorts the lexemes and keeps running sums of their shares for
// prefixFreq.
func (ls *lexemeStats) index() {
	ls.sorted = make([]string, 0, len(ls.freqs))
	for l := range ls.freqs {
		ls.sorted = append(ls.sorted, l)
	}
	sort.Strings(ls.sorted)
	ls.cum = make([]float64, len(ls.sorted)+1)
	for i, l := range ls.sorted {
		ls.cum[i+1] = ls.cum[i] + ls.freqs[l]
	}
}

func (ls *lexemeStats) ofLang(f float64, lang string) float64 {
	if share := ls.langShare[lang]; share > 0 {
		return min(1, f/share)
	}
	return f
}

func (s *Store) commonLexemes(ctx context.Context) *lexemeStats {
	if v, ok := s.lexStats.Load().(*lexemeStats); ok && time.Since(v.at) < time.Minute {
		return v
	}
	ls := &lexemeStats{at: time.Now(), freqs: map[string]float64{}, langShare: map[string]float64{}}
	var elems []string
	var freqs []float32
	err := s.pool.QueryRow(ctx, `SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats
		WHERE schemaname = current_schema() AND tablename = 'kb_chunks' AND attname = 'tsv'`).Scan(&elems, &freqs)
	if err == nil {
		for i, e := range elems {
			if i < len(freqs) {
				ls.freqs[e] = float64(freqs[i])
			}
		}
	}
	var langs []string
	err = s.pool.QueryRow(ctx, `SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats
		WHERE schemaname = current_schema() AND tablename = 'kb_chunks' AND attname = 'lang'`).Scan(&langs, &freqs)
	if err == nil {
		for i, l := range langs {
			if i < len(freqs) {
				ls.langShare[l] = float64(freqs[i])
			}
		}
	}
	ls.index()
	s.lexStats.Store(ls)
	return ls
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func (s *Store) Stats(ctx context.Context, tenant string) (knowledge.Stats, error) {
	return knowledge.StoreStats(ctx, s, tenant)
}

// DropTenant removes the tenant; its documents and chunks go with it
// (ON DELETE CASCADE).
func (s *Store) DropTenant(ctx context.Context, tenant string) error {
	s.mu.Lock()
	delete(s.embeddings, tenant)
	s.mu.Unlock()
	_, err := s.pool.Exec(ctx, `DELETE FROM kb_tenants WHERE tenant = $1`, tenant)
	return err
}

// dropVectorIndexes removes the HNSW indexes of one dimension, for a bulk
// load that builds them afterwards (much faster than inserting into them).
func (s *Store) dropVectorIndexes(ctx context.Context, dim int) error {
	rows, err := s.pool.Query(ctx, `SELECT indexname FROM pg_indexes WHERE indexname LIKE $1`, fmt.Sprintf("kb_chunks_hnsw_%d_%%", dim))
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := s.pool.Exec(ctx, `DROP INDEX IF EXISTS `+pgx.Identifier{n}.Sanitize()); err != nil {
			return err
		}
		s.indexes.Delete(n)
	}
	return nil
}

// textIndexSQL is the full-text index as migration 0003 made it.
const textIndexSQL = `CREATE INDEX IF NOT EXISTS kb_chunks_tsv ON kb_chunks USING gin (tsv)`

// BeginBulk prepares a bulk load of vectors of dimension dim: the HNSW
// indexes of that dimension and the full-text index are dropped, and
// UseEmbedding leaves them alone, until EndBulk builds them again in one
// pass each (PostgreSQL's advice for large loads: at 100,000 chunks
// loading runs about half again as fast, and building afterwards takes
// about as long as keeping the full-text index up to date did). Searches
// of every tenant still work meanwhile, slowly (no index): for a first load
// or a maintenance window.
func (s *Store) BeginBulk(ctx context.Context, dim int) error {
	s.deferIndex = true
	if err := s.dropVectorIndexes(ctx, dim); err != nil {
		return err
	}
	_, err := s.pool.Exec(ctx, `DROP INDEX IF EXISTS kb_chunks_tsv`)
	return err
}

// EndBulk builds the indexes BeginBulk dropped, on one connection with the
// memory and parallel workers a bulk build wants: the HNSW index of each
// language present, then the full-text index, then fresh statistics. It
// returns how long the vector and the full-text indexes took.
func (s *Store) EndBulk(ctx context.Context, dim int) (vector, text time.Duration, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SET maintenance_work_mem = '1GB'; SET max_parallel_maintenance_workers = 2`); err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	rows, err := conn.Query(ctx, `SELECT DISTINCT lang FROM kb_chunks WHERE dim = $1`, dim)
	if err != nil {
		return 0, 0, err
	}
	langs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, 0, err
	}
	for _, l := range langs {
		if err := validLang(l); err != nil {
			return 0, 0, err
		}
		if _, err := conn.Exec(ctx, createIndexSQL(dim, l)); err != nil {
			return 0, 0, fmt.Errorf("knowledge store: building the vector index: %w", err)
		}
		s.indexes.Store(indexName(dim, l), true)
	}
	vector = time.Since(t0)
	t0 = time.Now()
	if _, err := conn.Exec(ctx, textIndexSQL); err != nil {
		return vector, 0, fmt.Errorf("knowledge store: building the full-text index: %w", err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE kb_chunks`); err != nil {
		return vector, 0, err
	}
	s.deferIndex = false
	return vector, time.Since(t0), nil
}
