// Package sqlitestore is the embedded knowledge store: one SQLite file,
// FTS5 for full text and exact (brute-force) vector search in memory,
// which is fast enough for the tens of thousands of chunks a contact
// centre's own articles make.
package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vastaa/vastaa/knowledge"
	_ "modernc.org/sqlite" // the "sqlite" driver (pure Go)
)

const schema = `
CREATE TABLE IF NOT EXISTS kb_tenants (
	tenant TEXT PRIMARY KEY,
	model TEXT NOT NULL,
	dim INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS kb_documents (
	tenant TEXT NOT NULL,
	key TEXT NOT NULL,
	article_id TEXT NOT NULL,
	lang TEXT NOT NULL,
	title TEXT NOT NULL,
	source TEXT NOT NULL,
	hash TEXT NOT NULL,
	chunks INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (tenant, key)
);
CREATE TABLE IF NOT EXISTS kb_chunks (
	id INTEGER PRIMARY KEY,
	tenant TEXT NOT NULL,
	doc_key TEXT NOT NULL,
	ord INTEGER NOT NULL,
	lang TEXT NOT NULL,
	heading TEXT NOT NULL,
	text TEXT NOT NULL,
	hash TEXT NOT NULL,
	embedding BLOB NOT NULL,
	asked TEXT NOT NULL DEFAULT '',
	UNIQUE (tenant, doc_key, hash)
);
CREATE INDEX IF NOT EXISTS kb_chunks_lang ON kb_chunks (tenant, lang);
`

// ftsSchema is the full-text table: a prefix index of four characters
// makes the prefix queries of TextSearch index lookups.
const ftsSchema = `CREATE VIRTUAL TABLE IF NOT EXISTS kb_fts USING fts5 (body, tokenize = 'unicode61 remove_diacritics 0', prefix = '4')`

// stemsSchema holds the stems of a chunk's words where its language has a
// stemmer (knowledge.StemTerms), rowid the chunk's id. A table of its own,
// not a column of kb_fts: FTS5's BM25 normalises by the length of the
// whole row, so a column only some languages fill would change every
// language's ranking.
const stemsSchema = `CREATE VIRTUAL TABLE IF NOT EXISTS kb_stems USING fts5 (stems, tokenize = 'unicode61 remove_diacritics 0')`

// schemaVersion is kept in PRAGMA user_version; migrate brings older files up.
const schemaVersion = 4

// Store is the SQLite knowledge store.
type Store struct {
	db *sql.DB

	mu    sync.Mutex
	cache map[cacheKey]*matrix
}

type cacheKey struct{ tenant, lang string }

// matrix is a tenant's vectors of one language, loaded for exact search.
type matrix struct {
	version int64
	ids     []int64
	dim     int
	vecs    []float32 // len(ids)*dim
}

// Open opens (creating if needed) the store in the file at path; ":memory:"
// makes a private in-memory store.
func Open(ctx context.Context, path string) (*Store, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	if path == ":memory:" {
		dsn = "file::memory:?_txlock=immediate"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if path == ":memory:" {
		db.SetMaxOpenConns(1) // every connection would be its own database
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("knowledge store %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("knowledge store %s: %w", path, err)
	}
	return &Store{db: db, cache: map[cacheKey]*matrix{}}, nil
}

func (s *Store) Close() error { return s.db.Close() }

// migrate upgrades a file made by an older version. Version 2 rebuilt the
// full-text table with a prefix index. Version 3 added the stems table,
// empty for the chunks already there: they were embedded with an older
// local embedding, so their tenant is re-ingested anyway. Version 4 added
// the phrasings of asked passages (knowledge.Chunk.Asked).
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if v >= schemaVersion {
		return nil
	}
	if v < 2 {
		for _, q := range []string{
			`DROP TABLE IF EXISTS kb_fts`,
			ftsSchema,
			`INSERT INTO kb_fts (rowid, body) SELECT c.id, CASE WHEN c.heading = '' THEN d.title || '. ' || c.text ELSE d.title || '. ' || c.heading || '. ' || c.text END
				FROM kb_chunks c JOIN kb_documents d ON d.tenant = c.tenant AND d.key = c.doc_key`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("migrating to version 2: %w", err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, stemsSchema); err != nil {
		return fmt.Errorf("migrating to version 3: %w", err)
	}
	var hasAsked int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info('kb_chunks') WHERE name = 'asked'`).Scan(&hasAsked); err != nil {
		return fmt.Errorf("migrating to version 4: %w", err)
	}
	if hasAsked == 0 {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE kb_chunks ADD COLUMN asked TEXT NOT NULL DEFAULT ''`); err != nil {
			return fmt.Errorf("migrating to version 4: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}

func (s *Store) UseEmbedding(ctx context.Context, tenant, model string, dim int) error {
	have, hdim, err := s.Embedding(ctx, tenant)
	if err != nil {
		return err
	}
	if have == "" {
		_, err := s.db.ExecContext(ctx, `INSERT INTO kb_tenants (tenant, model, dim) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, tenant, model, dim)
		if err != nil {
			return err
		}
		have, hdim, err = s.Embedding(ctx, tenant)
		if err != nil {
			return err
		}
	}
	if have != model || hdim != dim {
		return knowledge.MismatchError(tenant, have, hdim, model, dim)
	}
	return nil
}

func (s *Store) Embedding(ctx context.Context, tenant string) (string, int, error) {
	var model string
	var dim int
	err := s.db.QueryRowContext(ctx, `SELECT model, dim FROM kb_tenants WHERE tenant = ?`, tenant).Scan(&model, &dim)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	}
	return model, dim, err
}

const docCols = `key, article_id, lang, title, source, hash, chunks, updated_at`

func scanDoc(sc interface{ Scan(...any) error }) (knowledge.DocInfo, error) {
	var d knowledge.DocInfo
	var at int64
	err := sc.Scan(&d.Key, &d.ArticleID, &d.Lang, &d.Title, &d.Source, &d.Hash, &d.Chunks, &at)
	d.UpdatedAt = time.UnixMilli(at).UTC()
	return d, err
}

func (s *Store) Doc(ctx context.Context, tenant, key string) (knowledge.DocInfo, bool, error) {
	d, err := scanDoc(s.db.QueryRowContext(ctx, `SELECT `+docCols+` FROM kb_documents WHERE tenant = ? AND key = ?`, tenant, key))
	if errors.Is(err, sql.ErrNoRows) {
		return d, false, nil
	}
	return d, err == nil, err
}

func (s *Store) Docs(ctx context.Context, tenant string) ([]knowledge.DocInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+docCols+` FROM kb_documents WHERE tenant = ? ORDER BY key`, tenant)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []knowledge.DocInfo
	for rows.Next() {
		d, err := scanDoc(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func (s *Store) Delete(ctx context.Context, tenant, key string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_fts WHERE rowid IN (SELECT id FROM kb_chunks WHERE tenant = ? AND doc_key = ?)`, tenant, key); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_stems WHERE rowid IN (SELECT id FROM kb_chunks WHERE tenant = ? AND doc_key = ?)`, tenant, key); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_chunks WHERE tenant = ? AND doc_key = ?`, tenant, key); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_documents WHERE tenant = ? AND key = ?`, tenant, key); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE kb_tenants SET version = version + 1 WHERE tenant = ?`, tenant); err != nil {
		return err
	}
	return tx.Commit()
}

// Begin starts an immediate (write-locked) transaction for one document.
func (s *Store) Begin(ctx context.Context, tenant string, doc knowledge.DocInfo) (knowledge.DocWriter, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	w := &writer{tx: tx, tenant: tenant, doc: doc, existing: map[string]bool{}, kept: map[string]bool{}}
	rows, err := tx.QueryContext(ctx, `SELECT hash FROM kb_chunks WHERE tenant = ? AND doc_key = ?`, tenant, doc.Key)
	if err != nil {
		tx.Rollback()
		return nil, err
	}
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			tx.Rollback()
			return nil, err
		}
		w.existing[h] = true
	}
	rows.Close()
	return w, rows.Err()
}

type writer struct {
	tx       *sql.Tx
	tenant   string
	doc      knowledge.DocInfo
	existing map[string]bool
	kept     map[string]bool
	n        int
}

func (w *writer) Existing() map[string]bool { return w.existing }

func (w *writer) Put(ctx context.Context, chunks []knowledge.Chunk) error {
	for _, c := range chunks {
		w.kept[c.Hash] = true
		w.n++
		if c.Embedding == nil {
			if !w.existing[c.Hash] {
				return fmt.Errorf("chunk %d of %s has no embedding", c.Ord, w.doc.Key)
			}
			if _, err := w.tx.ExecContext(ctx, `UPDATE kb_chunks SET ord = ? WHERE tenant = ? AND doc_key = ? AND hash = ?`, c.Ord, w.tenant, w.doc.Key, c.Hash); err != nil {
				return err
			}
			continue
		}
		res, err := w.tx.ExecContext(ctx, `INSERT INTO kb_chunks (tenant, doc_key, ord, lang, heading, text, hash, embedding, asked) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (tenant, doc_key, hash) DO UPDATE SET ord = excluded.ord`,
			w.tenant, w.doc.Key, c.Ord, w.doc.Lang, c.Heading, c.Text, c.Hash, encode(c.Embedding), c.Asked)
		if err != nil {
			return err
		}
		if w.existing[c.Hash] {
			continue
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		body := knowledge.IndexText(w.doc.Title, c)
		if _, err := w.tx.ExecContext(ctx, `INSERT INTO kb_fts (rowid, body) VALUES (?, ?)`, id, body); err != nil {
			return err
		}
		if stems := knowledge.StemTerms(w.doc.Lang, body); len(stems) > 0 {
			if _, err := w.tx.ExecContext(ctx, `INSERT INTO kb_stems (rowid, stems) VALUES (?, ?)`, id, strings.Join(stems, " ")); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *writer) Commit(ctx context.Context) error {
	var stale []string
	for h := range w.existing {
		if !w.kept[h] {
			stale = append(stale, h)
		}
	}
	for _, h := range stale {
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM kb_fts WHERE rowid = (SELECT id FROM kb_chunks WHERE tenant = ? AND doc_key = ? AND hash = ?)`, w.tenant, w.doc.Key, h); err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM kb_stems WHERE rowid = (SELECT id FROM kb_chunks WHERE tenant = ? AND doc_key = ? AND hash = ?)`, w.tenant, w.doc.Key, h); err != nil {
			return err
		}
		if _, err := w.tx.ExecContext(ctx, `DELETE FROM kb_chunks WHERE tenant = ? AND doc_key = ? AND hash = ?`, w.tenant, w.doc.Key, h); err != nil {
			return err
		}
	}
	d := w.doc
	_, err := w.tx.ExecContext(ctx, `INSERT INTO kb_documents (tenant, `+docCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant, key) DO UPDATE SET article_id = excluded.article_id, lang = excluded.lang, title = excluded.title,
		source = excluded.source, hash = excluded.hash, chunks = excluded.chunks, updated_at = excluded.updated_at`,
		w.tenant, d.Key, d.ArticleID, d.Lang, d.Title, d.Source, d.Hash, len(w.kept), time.Now().UnixMilli())
	if err != nil {
		return err
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE kb_tenants SET version = version + 1 WHERE tenant = ?`, w.tenant); err != nil {
		return err
	}
	return w.tx.Commit()
}

func (w *writer) Rollback(ctx context.Context) error {
	err := w.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

func encode(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// load returns the tenant's vectors of lang, reloading them when the
// tenant's version moved (a write from this or another process).
func (s *Store) load(ctx context.Context, tenant, lang string) (*matrix, error) {
	var version int64
	var dim int
	err := s.db.QueryRowContext(ctx, `SELECT version, dim FROM kb_tenants WHERE tenant = ?`, tenant).Scan(&version, &dim)
	if errors.Is(err, sql.ErrNoRows) {
		return &matrix{}, nil
	}
	if err != nil {
		return nil, err
	}
	k := cacheKey{tenant, lang}
	s.mu.Lock()
	m := s.cache[k]
	s.mu.Unlock()
	if m != nil && m.version == version {
		return m, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, embedding FROM kb_chunks WHERE tenant = ? AND lang = ? ORDER BY id`, tenant, lang)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m = &matrix{version: version, dim: dim}
	for rows.Next() {
		var id int64
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, err
		}
		if len(b) != 4*dim {
			return nil, fmt.Errorf("knowledge store: chunk %d has a vector of %d bytes, want %d", id, len(b), 4*dim)
		}
		m.ids = append(m.ids, id)
		for i := 0; i < dim; i++ {
			m.vecs = append(m.vecs, math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[k] = m
	s.mu.Unlock()
	return m, nil
}

func (s *Store) VectorSearch(ctx context.Context, tenant, lang string, vec []float32, k int) ([]knowledge.Hit, error) {
	m, err := s.load(ctx, tenant, lang)
	if err != nil {
		return nil, err
	}
	if len(m.ids) == 0 || k <= 0 {
		return nil, nil
	}
	if len(vec) != m.dim {
		return nil, fmt.Errorf("knowledge store: query vector has dimension %d, the store %d", len(vec), m.dim)
	}
	type sc struct {
		i int
		s float32
	}
	top := make([]sc, 0, k+1)
	for i := range m.ids {
		d := knowledge.Dot(vec, m.vecs[i*m.dim:(i+1)*m.dim])
		if len(top) == k && d <= top[k-1].s {
			continue
		}
		j := sort.Search(len(top), func(j int) bool { return top[j].s < d })
		top = append(top, sc{})
		copy(top[j+1:], top[j:])
		top[j] = sc{i, d}
		if len(top) > k {
			top = top[:k]
		}
	}
	ids := make([]int64, len(top))
	scores := map[int64]float64{}
	for i, t := range top {
		ids[i] = m.ids[t.i]
		scores[ids[i]] = float64(t.s)
	}
	return s.hits(ctx, tenant, ids, scores)
}

// hits loads chunks by id, keeping the order of ids, with their scores.
func (s *Store) hits(ctx context.Context, tenant string, ids []int64, scores map[int64]float64) ([]knowledge.Hit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := []any{tenant}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.doc_key, d.article_id, c.lang, d.title, c.heading, c.text, d.source, c.ord, c.asked
		FROM kb_chunks c JOIN kb_documents d ON d.tenant = c.tenant AND d.key = c.doc_key
		WHERE c.tenant = ? AND c.id IN (`+ph+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	byID := map[int64]knowledge.Hit{}
	for rows.Next() {
		var id int64
		var h knowledge.Hit
		if err := rows.Scan(&id, &h.DocKey, &h.ArticleID, &h.Lang, &h.Title, &h.Heading, &h.Text, &h.Source, &h.Ord, &h.Asked); err != nil {
			return nil, err
		}
		byID[id] = h
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]knowledge.Hit, 0, len(ids))
	for _, id := range ids {
		if h, ok := byID[id]; ok {
			h.Score = scores[id]
			out = append(out, h)
		}
	}
	return out, nil
}

// TextSearch matches any content word by its first four letters (FTS5
// prefix queries: "open" finds "opening", "auki" finds "aukioloajat") and,
// in a language with stems, by its stems, and ranks by BM25.
func (s *Store) TextSearch(ctx context.Context, tenant, lang string, terms []string, k int) ([]knowledge.Hit, error) {
	var parts []string
	seen := map[string]bool{}
	for _, t := range terms {
		r := []rune(t)
		p := string(r[:min(4, len(r))])
		if p == "" || seen[p] || strings.ContainsAny(p, `"*`) {
			continue
		}
		seen[p] = true
		parts = append(parts, `"`+p+`"*`)
	}
	// Where the language has stems, the word's stem and its compound parts'
	// stems are looked up in the stems table too ("ajan" finds "aika"), and
	// a chunk's two BM25 scores add up.
	var stems []string
	for _, t := range terms {
		for _, st := range knowledge.SearchStems(lang, t) {
			if st == "" || seen["s:"+st] || strings.ContainsAny(st, `"*`) {
				continue
			}
			seen["s:"+st] = true
			stems = append(stems, `"`+st+`"`)
		}
	}
	if len(parts) == 0 || k <= 0 {
		return nil, nil
	}
	q, args := `SELECT c.id, bm25(kb_fts) FROM kb_fts JOIN kb_chunks c ON c.id = kb_fts.rowid
		WHERE kb_fts MATCH ? AND c.tenant = ? AND c.lang = ? ORDER BY bm25(kb_fts) LIMIT ?`,
		[]any{strings.Join(parts, " OR "), tenant, lang, k}
	if len(stems) > 0 {
		q = `SELECT id, SUM(sc) FROM (
			SELECT c.id AS id, bm25(kb_fts) AS sc FROM kb_fts JOIN kb_chunks c ON c.id = kb_fts.rowid
			WHERE kb_fts MATCH ? AND c.tenant = ? AND c.lang = ?
			UNION ALL
			SELECT c.id, bm25(kb_stems) FROM kb_stems JOIN kb_chunks c ON c.id = kb_stems.rowid
			WHERE kb_stems MATCH ? AND c.tenant = ? AND c.lang = ?
		) GROUP BY id ORDER BY SUM(sc) LIMIT ?`
		args = []any{strings.Join(parts, " OR "), tenant, lang, strings.Join(stems, " OR "), tenant, lang, k}
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("knowledge store: full-text search: %w", err)
	}
	var ids []int64
	scores := map[int64]float64{}
	for rows.Next() {
		var id int64
		var sc float64
		if err := rows.Scan(&id, &sc); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
		scores[id] = -sc // bm25() is lower for better matches
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return s.hits(ctx, tenant, ids, scores)
}

func (s *Store) Stats(ctx context.Context, tenant string) (knowledge.Stats, error) {
	return knowledge.StoreStats(ctx, s, tenant)
}

func (s *Store) DropTenant(ctx context.Context, tenant string) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`DELETE FROM kb_fts WHERE rowid IN (SELECT id FROM kb_chunks WHERE tenant = ?)`,
		`DELETE FROM kb_stems WHERE rowid IN (SELECT id FROM kb_chunks WHERE tenant = ?)`,
		`DELETE FROM kb_chunks WHERE tenant = ?`,
		`DELETE FROM kb_documents WHERE tenant = ?`,
		`DELETE FROM kb_tenants WHERE tenant = ?`,
	} {
		if _, err := tx.ExecContext(ctx, q, tenant); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.mu.Lock()
	for k := range s.cache {
		if k.tenant == tenant {
			delete(s.cache, k)
		}
	}
	s.mu.Unlock()
	return nil
}
