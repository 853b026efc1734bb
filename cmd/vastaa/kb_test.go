package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// vastaa runs the command line in-process and returns its exit code and
// what it printed on stdout.
func vastaa(t *testing.T, args ...string) (int, string) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() { b, _ := io.ReadAll(r); done <- string(b) }()
	code := run(context.Background(), args)
	w.Close()
	os.Stdout = old
	return code, <-done
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A team maintains its own articles: ingest a directory, search it, edit
// and delete articles, ingest again; only the changes are written.
func TestKBCommandLine(t *testing.T) {
	dir := t.TempDir()
	docs := filepath.Join(dir, "articles")
	db := filepath.Join(dir, "kb.db")
	writeFile(t, filepath.Join(docs, "en/hours.md"), "---\nid: opening-hours\nlang: en\ntitle: Opening hours\n---\nWe are open on weekdays from 8 to 18.\n\n## Saturdays\n\nOn Saturdays we are open from 9 to 14.\n")
	writeFile(t, filepath.Join(docs, "fi/aukiolo.md"), "---\nid: opening-hours\nlang: fi\ntitle: Aukioloajat\n---\nOlemme auki arkisin kello 8–18. Lauantaisin olemme auki kello 9–14.\n")
	// No front matter: the language is detected, the id is the file name.
	writeFile(t, filepath.Join(docs, "sv/parkering.txt"), "Parkering\n\nDet finns gratis parkering på gården bakom huset. Garaget på Strandgatan kostar två euro i timmen.\n")
	writeFile(t, filepath.Join(docs, "en/lab.html"), "<html lang=en><head><title>Lab results</title></head><body><p>Most laboratory results are ready within three working days.</p></body></html>")
	writeFile(t, filepath.Join(docs, "en/broken.md"), "\x00\x01binary")
	writeFile(t, filepath.Join(docs, "notes.json"), "{}")
	flags := []string{"--kb-sqlite", db}

	code, out := vastaa(t, append([]string{"kb", "ingest", docs, "--progress", "never"}, flags...)...)
	if code != 1 || !strings.Contains(out, "4 added") || !strings.Contains(out, "1 failed") || !strings.Contains(out, "broken.md") || !strings.Contains(out, "binary") {
		t.Fatalf("first ingest (exit %d):\n%s", code, out)
	}
	os.Remove(filepath.Join(docs, "en/broken.md"))

	code, out = vastaa(t, append([]string{"kb", "search", "are you open on saturday", "--lang", "en", "--answer"}, flags...)...)
	if code != 0 || !strings.Contains(out, "1. opening-hours [en]") || !strings.Contains(out, "Saturdays") || !strings.Contains(out, "cites opening-hours") {
		t.Errorf("search (exit %d):\n%s", code, out)
	}
	code, out = vastaa(t, append([]string{"kb", "search", "var kan jag parkera", "--lang", "sv"}, flags...)...)
	if code != 0 || !strings.Contains(out, "1. parkering [sv]") {
		t.Errorf("search of the detected Swedish text (exit %d):\n%s", code, out)
	}
	code, out = vastaa(t, append([]string{"kb", "search", "who won the football match", "--answer"}, flags...)...)
	if code != 0 || !strings.Contains(out, "no answer") {
		t.Errorf("off-topic search (exit %d):\n%s", code, out)
	}

	// Edit the Saturday paragraph, delete the HTML page, add nothing else.
	writeFile(t, filepath.Join(docs, "en/hours.md"), "---\nid: opening-hours\nlang: en\ntitle: Opening hours\n---\nWe are open on weekdays from 8 to 18.\n\n## Saturdays\n\nOn Saturdays we are open from 10 to 14.\n")
	os.Remove(filepath.Join(docs, "en/lab.html"))
	code, out = vastaa(t, append([]string{"kb", "ingest", docs, "--progress", "never"}, flags...)...)
	if code != 0 || !strings.Contains(out, "0 added, 1 updated, 2 unchanged, 1 removed") || !strings.Contains(out, "chunks: 1 embedded, 1 kept") {
		t.Fatalf("re-ingest (exit %d):\n%s", code, out)
	}
	code, out = vastaa(t, append([]string{"kb", "search", "open on saturday", "--answer"}, flags...)...)
	if code != 0 || !strings.Contains(out, "10 to 14") || strings.Contains(out, "9 to 14") {
		t.Errorf("edited article (exit %d):\n%s", code, out)
	}

	code, out = vastaa(t, append([]string{"kb", "stats"}, flags...)...)
	if code != 0 || !strings.Contains(out, "3 documents") || !regexpMatch(`(?m)^en\s+1\s+2$`, out) || !regexpMatch(`(?m)^sv\s+1\s+1$`, out) {
		t.Errorf("stats (exit %d):\n%s", code, out)
	}

	// Bad input to the commands themselves.
	if code, _ := vastaa(t, append([]string{"kb", "ingest", filepath.Join(dir, "missing")}, flags...)...); code != 1 {
		t.Errorf("ingest of a missing path: exit %d", code)
	}
	if code, _ := vastaa(t, "kb", "search", "--kb-store", "postgres", "--database-url", "", "x"); code != 1 {
		t.Errorf("postgres without a URL: exit %d", code)
	}
	if err := kbIngestCmd(context.Background(), append([]string{docs, "--bulk"}, flags...)); err == nil || !strings.Contains(err.Error(), "--bulk is for --kb-store postgres") {
		t.Errorf("--bulk with SQLite: %v", err)
	}
	if code, _ := vastaa(t, "kb", "frobnicate"); code != 1 {
		t.Errorf("unknown kb command: exit %d", code)
	}
}

func TestKBEvalCommand(t *testing.T) {
	code, out := vastaa(t, "kb", "eval", "--stores", "sqlite")
	if code != 0 || !strings.Contains(out, "store sqlite") || !regexpMatch(`(?m)^all\s+1[5-9]\d\s`, out) {
		t.Errorf("eval (exit %d):\n%s", code, out)
	}
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }
