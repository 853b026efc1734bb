package knowledge

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func parseAll(t *testing.T, f Format, doc string) (Meta, []Block) {
	t.Helper()
	var blocks []Block
	m, err := Parse(strings.NewReader(doc), f, func(_ Meta, b Block) error { blocks = append(blocks, b); return nil })
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return m, blocks
}

func TestParseMarkdown(t *testing.T) {
	m, bs := parseAll(t, Markdown, "\ufeff---\nid: prices\nlang: FI\ntitle: \"Hinnat\"\n---\nIntro line one\ncontinues here.\n\n## Lääkärit\n\n- **Yleislääkäri** 65 €, see [the list](https://example.invalid/x).\n\n```\ncode is skipped? no: fenced lines are kept as text\n```\n### Hoitajat\nHoitaja 35 €.\n")
	if m.ID != "prices" || m.Lang != "fi" || m.Title != "Hinnat" {
		t.Fatalf("meta %+v", m)
	}
	want := []Block{
		{"", "Intro line one continues here."},
		{"Lääkärit", "Yleislääkäri 65 €, see the list."},
		{"Lääkärit", "code is skipped? no: fenced lines are kept as text"},
		{"Hoitajat", "Hoitaja 35 €."},
	}
	if len(bs) != len(want) {
		t.Fatalf("blocks %q", bs)
	}
	for i := range want {
		if bs[i] != want[i] {
			t.Errorf("block %d: %q, want %q", i, bs[i], want[i])
		}
	}
	// A "# Title" heading is the title when the front matter has none.
	m, bs = parseAll(t, Markdown, "# Parking\n\nFree in the courtyard.\n")
	if m.Title != "Parking" || len(bs) != 1 || bs[0].Heading != "" {
		t.Errorf("%+v %q", m, bs)
	}
}

func TestParseHTML(t *testing.T) {
	doc := `<!doctype html><html lang="sv-FI"><head><title>Priser</title><style>p{color:red}</style></head>
<body><nav><a href="/">Hem</a></nav><h1>Priser</h1><p>Ett läkarbesök kostar <b>65</b> euro.</p>
<h2>Sjukskötare</h2><ul><li>Besök 35 euro</li><li>Vaccination 20 euro</li></ul><script>alert("x")</script><p>Slut</body></html>`
	m, bs := parseAll(t, HTML, doc)
	if m.Lang != "sv" || m.Title != "Priser" {
		t.Errorf("meta %+v", m)
	}
	var texts []string
	for _, b := range bs {
		texts = append(texts, b.Heading+"|"+b.Text)
	}
	got := strings.Join(texts, "\n")
	want := "|Ett läkarbesök kostar 65 euro.\nSjukskötare|Besök 35 euro\nSjukskötare|Vaccination 20 euro\nSjukskötare|Slut"
	if got != want {
		t.Errorf("blocks:\n%s\nwant:\n%s", got, want)
	}
}

func TestParseText(t *testing.T) {
	m, bs := parseAll(t, Text, "# not a heading in text\n\nSecond paragraph\nwrapped.\n")
	if m.ID != "" || m.Lang != "" || m.Title != "" || m.Asked != nil || len(bs) != 2 || bs[1].Text != "Second paragraph wrapped." || bs[0].Heading != "" {
		t.Errorf("%+v %q", m, bs)
	}
}

func TestScan(t *testing.T) {
	// Runes split across reads are still valid UTF-8.
	text := strings.Repeat("Äänitiedosto ārsts ö ", 5000)
	h, n, err := Scan(iotest.OneByteReader(strings.NewReader(text)))
	if err != nil || n != int64(len(text)) || len(h) != 64 {
		t.Fatalf("%q %d %v", h, n, err)
	}
	h2, _, _ := Scan(strings.NewReader(text))
	if h2 != h {
		t.Error("hash depends on how the file is read")
	}
	for name, c := range map[string]struct {
		data string
		err  error
		at   string
	}{
		"nul":        {"hello\x00world", ErrBinary, "offset 5"},
		"invalid":    {strings.Repeat("a", 40000) + "\xff\xfe", ErrInvalidUTF8, "byte 40000"},
		"truncated":  {"abc\xc3", ErrInvalidUTF8, "end"},
		"empty":      {"", ErrEmpty, ""},
		"whitespace": {" \n\t\n", ErrEmpty, ""},
	} {
		_, _, err := Scan(strings.NewReader(c.data))
		if !errors.Is(err, c.err) || !strings.Contains(err.Error(), c.at) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestChunker(t *testing.T) {
	ch := NewChunker("Title", ChunkOptions{MaxChars: 80, OverlapChars: 40})
	var out []Chunk
	emit := func(c Chunk) error { out = append(out, c); return nil }
	para := "First sentence is here. Second sentence follows it. Third one is a bit longer than the others. Fourth."
	for _, b := range []Block{{"A", para}, {"A", "Short."}, {"B", strings.Repeat("word ", 80)}} {
		if err := ch.Add(b, emit); err != nil {
			t.Fatal(err)
		}
	}
	ch.Flush(emit)
	for i, c := range out {
		if len(c.Text) > 80 {
			t.Errorf("chunk %d is %d chars", i, len(c.Text))
		}
		if c.Ord != i || c.Hash != ChunkHash("Title", c.Heading, c.Text) {
			t.Errorf("chunk %d: ord %d hash %s", i, c.Ord, c.Hash)
		}
	}
	// The second chunk of section A starts with the last sentence of the first.
	if len(out) < 3 || out[0].Heading != "A" || out[1].Heading != "A" {
		t.Fatalf("chunks %+v", out)
	}
	first := splitSentences(out[0].Text)
	if !strings.HasPrefix(out[1].Text, first[len(first)-1]) {
		t.Errorf("no overlap: %q then %q", out[0].Text, out[1].Text)
	}
	// No overlap across headings; an over-long run of words is cut at spaces.
	for _, c := range out {
		if c.Heading == "B" && strings.Contains(c.Text, "Short.") {
			t.Errorf("overlap crossed a heading: %q", c.Text)
		}
	}
	if got := splitLong(strings.Repeat("ä", 100), 31); len(got) != 7 || !utf8.ValidString(got[0]) {
		t.Errorf("runes cut: %q", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("---\nid: a\nlang: en\n---\n# T\n\ntext [x](y) **b**\n"), uint8(0))
	f.Add([]byte("<html lang=fi><h2>x</h2><p>y<script>z</script></p>"), uint8(2))
	f.Add([]byte("plain\n\ntext"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		format := []Format{Markdown, Text, HTML}[int(kind)%3]
		valid := utf8.Valid(data)
		n := 0
		_, err := Parse(bytes.NewReader(data), format, func(_ Meta, b Block) error {
			n++
			if strings.TrimSpace(b.Text) == "" {
				t.Fatalf("empty block from %q", data)
			}
			if valid && format != HTML && !utf8.ValidString(b.Text) {
				t.Fatalf("invalid UTF-8 block %q from valid input", b.Text)
			}
			return nil
		})
		_ = err // errors are fine (unclosed front matter); panics are not
		ch := NewChunker("t", ChunkOptions{MaxChars: 50})
		Parse(bytes.NewReader(data), format, func(_ Meta, b Block) error {
			return ch.Add(b, func(c Chunk) error {
				if len(c.Text) > 50 {
					t.Fatalf("chunk of %d chars", len(c.Text))
				}
				return nil
			})
		})
	})
}

func FuzzScan(f *testing.F) {
	f.Add([]byte("hello"))
	f.Add([]byte("h\xc3\xa4"))
	f.Add([]byte("\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, n, err := Scan(iotest.HalfReader(bytes.NewReader(data)))
		switch {
		case err == nil:
			if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 || n != int64(len(data)) {
				t.Fatalf("accepted %q", data)
			}
		case errors.Is(err, ErrInvalidUTF8):
			if utf8.Valid(data) {
				t.Fatalf("valid UTF-8 refused: %q: %v", data, err)
			}
		case errors.Is(err, ErrBinary):
			if bytes.IndexByte(data, 0) < 0 {
				t.Fatalf("no NUL but binary: %q", data)
			}
		case errors.Is(err, ErrEmpty):
			if len(bytes.TrimSpace(data)) > 0 {
				t.Fatalf("not empty: %q", data)
			}
		}
	})
}

func TestParseAsked(t *testing.T) {
	m, bs := parseAll(t, Markdown, "---\nid: sick-leave\nasked:\n  - My boss wants a note.\n  - \"Kela: how much?\"\n  -   \n- Can I get signed off?\ntitle: Sick leave\n---\nBody text.\n")
	want := []string{"My boss wants a note.", "Kela: how much?", "Can I get signed off?"}
	if m.Title != "Sick leave" || strings.Join(m.Asked, "|") != strings.Join(want, "|") || len(bs) != 1 || bs[0].Text != "Body text." {
		t.Errorf("meta %+v blocks %+v", m, bs)
	}
	// One item on the key's own line; list items end at the next key.
	m, _ = parseAll(t, Markdown, "---\nasked: Where do I park?\nlang: en\n- not an item\n---\nx\n")
	if strings.Join(m.Asked, "|") != "Where do I park?" || m.Lang != "en" {
		t.Errorf("meta %+v", m)
	}
	// HTML: one <meta name="asked"> per phrasing.
	m, _ = parseAll(t, HTML, `<html lang="en"><head><meta name="asked" content="Is there a lift?"><meta name="description" content="no"><meta name="ASKED" content="Can I bring my wheelchair?"></head><body><p>x</p></body></html>`)
	if strings.Join(m.Asked, "|") != "Is there a lift?|Can I bring my wheelchair?" {
		t.Errorf("html meta %+v", m)
	}
	// Bounded: too many or too long phrasings refuse the document.
	many := "---\nasked:\n" + strings.Repeat("  - q\n", maxAsked+1) + "---\nx\n"
	if _, err := Parse(strings.NewReader(many), Markdown, func(Meta, Block) error { return nil }); err == nil || !strings.Contains(err.Error(), "asked") {
		t.Errorf("too many phrasings: %v", err)
	}
	long := "---\nasked: " + strings.Repeat("x", maxAskedLen+1) + "\n---\nx\n"
	if _, err := Parse(strings.NewReader(long), Markdown, func(Meta, Block) error { return nil }); err == nil {
		t.Error("an overlong phrasing was accepted")
	}
}
