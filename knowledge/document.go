package knowledge

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Format is how a document is written.
type Format string

const (
	Markdown Format = "markdown"
	Text     Format = "text"
	HTML     Format = "html"
)

// FormatOf picks the format from a file name; ok is false for files the
// ingester does not read.
func FormatOf(name string) (Format, bool) {
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".markdown":
		return Markdown, true
	case ".txt", ".text":
		return Text, true
	case ".html", ".htm":
		return HTML, true
	}
	return "", false
}

// Meta is what a document says about itself: Markdown front matter, the
// HTML <title> and <html lang>, or nothing for plain text.
type Meta struct {
	ID, Lang, Title string
	// Asked lists how callers ask for what the document answers (front
	// matter "asked:", one item per line): searched like the text, never
	// said. An article's own words rarely match "my boss wants a note"
	// when the article is about sick-leave certificates.
	Asked []string
}

// maxAsked bounds the phrasings one document may list, and maxAskedLen
// each one's length.
const (
	maxAsked    = 64
	maxAskedLen = 300
)

// Block is one paragraph of a document under its section heading.
type Block struct {
	Heading string
	Text    string
}

// Errors a document can be refused with. Refusing one document never
// touches the others, and the store keeps its previous version.
var (
	ErrEmpty       = errors.New("document is empty")
	ErrBinary      = errors.New("binary file, not text")
	ErrInvalidUTF8 = errors.New("invalid UTF-8 (convert the file to UTF-8 first)")
)

// maxLine bounds the memory one line may take; longer lines are cut into
// pieces (a minified HTML file or a text file without newlines).
const maxLine = 64 << 10

// Scan checks a document and hashes it in one streaming pass: binary files
// (NUL bytes) and invalid UTF-8 are refused with the byte offset, and an
// empty or whitespace-only file is ErrEmpty. Memory stays bounded whatever
// the size.
func Scan(r io.Reader) (hash string, size int64, err error) {
	h := sha256.New()
	br := bufio.NewReaderSize(r, 32<<10)
	buf := make([]byte, 32<<10)
	var carry []byte // an incomplete UTF-8 sequence at a buffer boundary
	nonSpace := false
	for {
		n, rerr := br.Read(buf)
		if n > 0 {
			h.Write(buf[:n])
			pos := size - int64(len(carry)) // offset of chunk[0] in the file
			chunk := append(carry, buf[:n]...)
			carry = nil
			size += int64(n)
			if i := bytes.IndexByte(chunk, 0); i >= 0 {
				return "", 0, fmt.Errorf("%w (NUL byte at offset %d)", ErrBinary, pos+int64(i))
			}
			// Keep a trailing partial rune for the next read.
			for tail := 1; tail <= 3 && tail <= len(chunk); tail++ {
				c := chunk[len(chunk)-tail]
				if c < 0x80 {
					break
				}
				if utf8.RuneStart(c) {
					if !utf8.FullRune(chunk[len(chunk)-tail:]) {
						carry = append([]byte(nil), chunk[len(chunk)-tail:]...)
						chunk = chunk[:len(chunk)-tail]
					}
					break
				}
			}
			if !utf8.Valid(chunk) {
				off := 0
				for off < len(chunk) {
					r, w := utf8.DecodeRune(chunk[off:])
					if r == utf8.RuneError && w <= 1 {
						break
					}
					off += w
				}
				return "", 0, fmt.Errorf("%w: at byte %d", ErrInvalidUTF8, pos+int64(off))
			}
			if !nonSpace && len(bytes.TrimSpace(chunk)) > 0 {
				nonSpace = true
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return "", 0, rerr
		}
	}
	if len(carry) > 0 {
		return "", 0, fmt.Errorf("%w: truncated character at the end", ErrInvalidUTF8)
	}
	if !nonSpace {
		return "", 0, ErrEmpty
	}
	return hex.EncodeToString(h.Sum(nil)), size, nil
}

// Parse streams a document's blocks to yield, after reading its metadata.
// It returns the metadata it found; yield errors stop the parse.
func Parse(r io.Reader, f Format, yield func(Meta, Block) error) (Meta, error) {
	switch f {
	case HTML:
		return parseHTML(r, yield)
	case Text:
		return parseLines(r, false, yield)
	default:
		return parseLines(r, true, yield)
	}
}

// parseLines reads Markdown (front matter, # headings, paragraphs) or plain
// text (paragraphs only) line by line.
func parseLines(r io.Reader, markdown bool, yield func(Meta, Block) error) (Meta, error) {
	var meta Meta
	br := bufio.NewReaderSize(r, 32<<10)
	readLine := func() (string, bool, error) {
		var sb strings.Builder
		for {
			frag, isPrefix, err := br.ReadLine()
			sb.Write(frag)
			if err != nil {
				if err == io.EOF && sb.Len() > 0 {
					return sb.String(), true, nil
				}
				return sb.String(), false, err
			}
			if !isPrefix || sb.Len() >= maxLine {
				return sb.String(), true, nil
			}
		}
	}
	first := true
	heading := ""
	var para []string
	paraLen := 0
	flush := func() error {
		if len(para) == 0 {
			return nil
		}
		text := strings.Join(para, " ")
		para, paraLen = para[:0], 0
		return yield(meta, Block{Heading: heading, Text: text})
	}
	inFence := false
	for {
		line, ok, err := readLine()
		if err != nil && err != io.EOF {
			return meta, err
		}
		if !ok {
			break
		}
		if first {
			first = false
			line = strings.TrimPrefix(line, "\ufeff")
			if markdown && strings.TrimSpace(line) == "---" {
				if err := readFrontMatter(readLine, &meta); err != nil {
					return meta, err
				}
				continue
			}
		}
		trimmed := strings.TrimSpace(line)
		if markdown && strings.HasPrefix(trimmed, "```") {
			inFence = !inFence
			continue
		}
		if markdown && !inFence && strings.HasPrefix(trimmed, "#") {
			h := strings.TrimSpace(strings.TrimLeft(trimmed, "#"))
			if err := flush(); err != nil {
				return meta, err
			}
			if strings.HasPrefix(trimmed, "# ") && meta.Title == "" {
				meta.Title = h
				heading = ""
			} else {
				heading = h
			}
			continue
		}
		if trimmed == "" {
			if err := flush(); err != nil {
				return meta, err
			}
			continue
		}
		if markdown {
			if trimmed = strings.TrimSpace(cleanMarkdown(trimmed)); trimmed == "" {
				continue // only markup ("**", a bare bullet)
			}
		}
		para = append(para, trimmed)
		paraLen += len(trimmed)
		if paraLen >= maxLine {
			if err := flush(); err != nil {
				return meta, err
			}
		}
	}
	return meta, flush()
}

func readFrontMatter(readLine func() (string, bool, error), meta *Meta) error {
	inAsked := false // the lines after "asked:" are its items
	for i := 0; i < 400; i++ {
		line, ok, err := readLine()
		if err != nil && err != io.EOF {
			return err
		}
		if !ok {
			return errors.New("front matter is not closed with ---")
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "---" {
			return nil
		}
		if inAsked && (trimmed == "-" || strings.HasPrefix(trimmed, "- ")) {
			if err := addAsked(meta, trimmed[1:]); err != nil {
				return err
			}
			continue
		}
		inAsked = false
		k, v, found := strings.Cut(line, ":")
		if !found {
			continue
		}
		v = unquote(strings.TrimSpace(v))
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "id":
			meta.ID = v
		case "lang", "language":
			meta.Lang = strings.ToLower(v)
		case "title":
			meta.Title = v
		case "asked":
			if v == "" {
				inAsked = true
			} else if err := addAsked(meta, v); err != nil {
				return err
			}
		}
	}
	return errors.New("front matter is not closed with --- within 400 lines")
}

func addAsked(meta *Meta, item string) error {
	item = unquote(strings.TrimSpace(item))
	if item == "" {
		return nil
	}
	if len(meta.Asked) >= maxAsked {
		return fmt.Errorf("front matter: more than %d items under asked", maxAsked)
	}
	if len(item) > maxAskedLen {
		return fmt.Errorf("front matter: an item under asked is longer than %d bytes", maxAskedLen)
	}
	meta.Asked = append(meta.Asked, item)
	return nil
}

// unquote drops one pair of matching quotes around a front-matter value.
func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// cleanMarkdown drops the markup a listener should not hear: list bullets,
// emphasis, inline code ticks and link targets.
func cleanMarkdown(s string) string {
	for _, p := range []string{"- ", "* ", "+ ", "> "} {
		if strings.HasPrefix(s, p) {
			s = strings.TrimSpace(s[len(p):])
			break
		}
	}
	s = strings.NewReplacer("**", "", "__", "", "`", "").Replace(s)
	// [text](target) -> text
	for {
		i := strings.Index(s, "](")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], ')')
		o := strings.LastIndexByte(s[:i], '[')
		if j < 0 || o < 0 {
			break
		}
		s = s[:o] + s[o+1:i] + s[i+j+1:]
	}
	return s
}

// parseHTML streams an HTML page: <title> and <html lang> as metadata,
// h1-h6 as headings, block elements as paragraphs; scripts, styles and
// navigation are skipped.
func parseHTML(r io.Reader, yield func(Meta, Block) error) (Meta, error) {
	var meta Meta
	z := html.NewTokenizer(r)
	z.SetMaxBuf(4 << 20)
	heading := ""
	var text strings.Builder
	skip := 0
	inTitle, inHeading := false, false
	var hbuf strings.Builder
	flush := func() error {
		t := strings.Join(strings.Fields(text.String()), " ")
		text.Reset()
		if t == "" {
			return nil
		}
		return yield(meta, Block{Heading: heading, Text: t})
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return meta, flush()
			}
			return meta, fmt.Errorf("html: %w", z.Err())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "nav", "noscript", "template", "svg":
				if tt == html.StartTagToken {
					skip++
				}
			case "html":
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "lang" {
						meta.Lang = strings.ToLower(strings.SplitN(string(v), "-", 2)[0])
					}
				}
			case "meta": // <meta name="asked" content="how a caller asks">, one per phrasing
				var name, content string
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					switch string(k) {
					case "name":
						name = strings.ToLower(string(v))
					case "content":
						content = string(v)
					}
				}
				if name == "asked" {
					if err := addAsked(&meta, content); err != nil {
						return meta, err
					}
				}
			case "title":
				inTitle = true
			case "h1", "h2", "h3", "h4", "h5", "h6":
				if err := flush(); err != nil {
					return meta, err
				}
				inHeading = true
				hbuf.Reset()
			case "p", "li", "div", "br", "tr", "td", "th", "section", "article", "blockquote", "dd", "dt":
				if err := flush(); err != nil {
					return meta, err
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch tag {
			case "script", "style", "nav", "noscript", "template", "svg":
				if skip > 0 {
					skip--
				}
			case "title":
				inTitle = false
			case "h1", "h2", "h3", "h4", "h5", "h6":
				inHeading = false
				h := strings.Join(strings.Fields(hbuf.String()), " ")
				if tag == "h1" && (meta.Title == "" || meta.Title == h) {
					meta.Title = h
				} else {
					heading = h
				}
			case "p", "li", "div", "tr", "section", "article", "blockquote", "dd":
				if err := flush(); err != nil {
					return meta, err
				}
			}
		case html.TextToken:
			if skip > 0 {
				continue
			}
			t := string(z.Text())
			switch {
			case inTitle:
				if meta.Title == "" {
					meta.Title = strings.Join(strings.Fields(t), " ")
				}
			case inHeading:
				hbuf.WriteString(t)
			default:
				text.WriteString(t)
				text.WriteByte(' ')
				if text.Len() >= maxLine {
					if err := flush(); err != nil {
						return meta, err
					}
				}
			}
		}
	}
}
