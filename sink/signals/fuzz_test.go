package signals_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/sink/signals"
)

// FuzzReadBundle: whatever a partner sends, reading it never panics, every
// event it yields is valid, and every object is accounted for once.
func FuzzReadBundle(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "partner_bundle.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"type":"bundle","objects":[{"type":"indicator"}]}`))
	f.Add([]byte(`{"objects":[1,"x",null,{}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, rep, err := signals.ReadBundle(data, signals.ImportOptions{Partner: "p", Now: time.Unix(1800000000, 0),
			MinConfidence: 50, ValidFor: time.Hour})
		if err != nil {
			return
		}
		for _, e := range evs {
			if err := e.Validate(); err != nil {
				t.Fatalf("invalid event %+v: %v", e, err)
			}
		}
		if got := rep.Indicators + rep.Skipped + rep.Other + len(rep.Errors); got != rep.Objects || len(evs) != rep.Indicators {
			t.Fatalf("report does not add up: %+v, %d events", rep, len(evs))
		}
	})
}
