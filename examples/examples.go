// Package examples ships the demo contact centre's content in the binary:
// the clinic's knowledge base (kb/<lang>/*.md), ingested automatically in
// embedded mode, and its labelled retrieval questions (kb/questions.tsv).
package examples

import "embed"

// KB holds kb/en, kb/fi, kb/sv, kb/lv, kb/questions.tsv and the held-out
// kb/questions-heldout.tsv.
//
//go:embed kb
var KB embed.FS

// Booking is the demo clinic's services and resources (booking.yaml).
//
//go:embed booking.yaml
var Booking []byte
