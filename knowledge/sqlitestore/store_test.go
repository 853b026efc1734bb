package sqlitestore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vastaa/vastaa/knowledge"
	"github.com/vastaa/vastaa/knowledge/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) knowledge.Store {
		s, err := Open(context.Background(), filepath.Join(t.TempDir(), "kb.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
