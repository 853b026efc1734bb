package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Chunk is one retrievable passage of a document: a few paragraphs under
// one heading, with the last sentence of the previous chunk of the same
// section repeated at its start (overlap), so an answer that straddles a
// boundary is still found whole.
type Chunk struct {
	Ord       int // position in the document
	Heading   string
	Text      string
	Hash      string    // of title, heading and text: unchanged chunks keep their embedding on re-ingest
	Embedding []float32 // nil for a chunk kept from the previous version
	// Asked is set on a document's "asked" passage only: the ways callers
	// ask for it (Meta.Asked, one per line). That passage is searched by
	// them, not by its Text, which repeats the document's lead passage (so
	// what is said is always the article's own words).
	Asked string
}

// AskedChunk makes the passage that finds a document by how callers ask
// for it: searched by the phrasings, answering with the lead passage.
func AskedChunk(title string, lead Chunk, ord int, asked []string) Chunk {
	a := strings.Join(asked, "\n")
	return Chunk{Ord: ord, Text: lead.Text, Asked: a, Hash: ChunkHash(title, "\x00asked\x00"+a, lead.Text)}
}

// IndexText is what gets embedded and full-text indexed for a chunk: its
// title, heading and text, or for an asked passage the title and the
// phrasings.
func IndexText(title string, c Chunk) string {
	if c.Asked != "" {
		return EmbedText(title, "", c.Asked)
	}
	return EmbedText(title, c.Heading, c.Text)
}

// ChunkOptions tunes chunking.
type ChunkOptions struct {
	MaxChars     int // a chunk's text is at most this long (default 700)
	OverlapChars int // the overlap sentence is repeated only when at most this long (default 240)
}

// Chunker cuts a stream of blocks into chunks; it holds at most one chunk
// in memory.
type Chunker struct {
	opt     ChunkOptions
	title   string
	heading string
	buf     []string // sentences of the chunk being built
	bufLen  int
	ord     int
	started bool // buf holds new text (not only the overlap)
}

// NewChunker starts chunking a document with the given title.
func NewChunker(title string, opt ChunkOptions) *Chunker {
	if opt.MaxChars <= 0 {
		opt.MaxChars = 700
	}
	if opt.OverlapChars <= 0 {
		opt.OverlapChars = 240
	}
	return &Chunker{opt: opt, title: title}
}

// SetTitle changes the title used in chunk hashes (a title found after the
// first block, e.g. an HTML <title> late in the head).
func (c *Chunker) SetTitle(t string) { c.title = t }

// Add feeds one block; complete chunks go to emit.
func (c *Chunker) Add(b Block, emit func(Chunk) error) error {
	if b.Heading != c.heading {
		if err := c.flush(emit, false); err != nil {
			return err
		}
		c.heading = b.Heading
	}
	sents := splitSentences(b.Text)
	// A paragraph that fits is kept whole; otherwise it is packed sentence
	// by sentence.
	if len(b.Text) <= c.opt.MaxChars && c.bufLen+len(b.Text) > c.opt.MaxChars && c.started {
		if err := c.flush(emit, true); err != nil {
			return err
		}
	}
	for _, s := range sents {
		for _, piece := range splitLong(s, c.opt.MaxChars) {
			if c.started && c.bufLen+len(piece)+1 > c.opt.MaxChars {
				if err := c.flush(emit, true); err != nil {
					return err
				}
			}
			if !c.started && c.bufLen+len(piece) > c.opt.MaxChars {
				c.buf, c.bufLen = c.buf[:0], 0 // no room for the overlap
			}
			c.buf = append(c.buf, piece)
			c.bufLen += len(piece) + 1
			c.started = true
		}
	}
	return nil
}

// Flush emits the last chunk.
func (c *Chunker) Flush(emit func(Chunk) error) error { return c.flush(emit, false) }

func (c *Chunker) flush(emit func(Chunk) error, overlap bool) error {
	if !c.started {
		c.buf, c.bufLen = c.buf[:0], 0
		return nil
	}
	text := strings.Join(c.buf, " ")
	ch := Chunk{Ord: c.ord, Heading: c.heading, Text: text, Hash: ChunkHash(c.title, c.heading, text)}
	c.ord++
	last := c.buf[len(c.buf)-1]
	c.buf, c.bufLen, c.started = c.buf[:0], 0, false
	if overlap && len(last) <= c.opt.OverlapChars && len(last) < c.opt.MaxChars/2 {
		c.buf = append(c.buf, last)
		c.bufLen = len(last) + 1
	}
	return emit(ch)
}

// splitLong cuts a sentence longer than max at word boundaries (or
// anywhere, for a run without spaces).
func splitLong(s string, max int) []string {
	if len(s) <= max {
		return []string{s}
	}
	var out []string
	for len(s) > max {
		cut := strings.LastIndexByte(s[:max], ' ')
		if cut <= 0 {
			cut = max
			for cut > 0 && !isRuneStart(s[cut]) {
				cut--
			}
		}
		out = append(out, strings.TrimSpace(s[:cut]))
		s = strings.TrimSpace(s[cut:])
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// ChunkHash identifies a chunk's content.
func ChunkHash(title, heading, text string) string {
	h := sha256.Sum256([]byte(title + "\x00" + heading + "\x00" + text))
	return hex.EncodeToString(h[:16])
}

// EmbedText is what gets embedded and full-text indexed for a chunk.
func EmbedText(title, heading, text string) string {
	var sb strings.Builder
	for _, p := range []string{title, heading} {
		if p != "" {
			sb.WriteString(p)
			sb.WriteString(". ")
		}
	}
	sb.WriteString(text)
	return sb.String()
}
