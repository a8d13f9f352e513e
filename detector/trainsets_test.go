package detector_test

import (
	"path/filepath"
	"testing"

	"github.com/handlewatch/handlewatch/detector"
	"github.com/handlewatch/handlewatch/detector/internal/contentrule"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// TestTrainingSetsContentRule holds the hand-written training sets to the
// content rule's mechanical half: known labels and apps, placeholder
// names, phone numbers from the fiction ranges only.
func TestTrainingSetsContentRule(t *testing.T) {
	paths, err := filepath.Glob("testdata/train_*.jsonl")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no training sets: %v", err)
	}
	paths = append(paths, "testdata/contacts3.jsonl")
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			exs, err := detector.ReadCorpus(p)
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]bool{}
			for _, e := range exs {
				if ids[e.ID] {
					t.Errorf("%s: duplicate id", e.ID)
				}
				ids[e.ID] = true
				if e.Label != detector.LabelSolicitation && e.Label != detector.LabelBenign {
					t.Errorf("%s: label %q", e.ID, e.Label)
				}
				for _, h := range e.Handles {
					switch {
					case !wire.IsApp(h.App):
						t.Errorf("%s: app %q is not in wire.Apps", e.ID, h.App)
					case contentrule.IsPhone(h.Handle):
						if !contentrule.FictionalPhone(h.Handle) {
							t.Errorf("%s: phone %s is not in a range reserved for fiction", e.ID, h.Handle)
						}
					case !contentrule.IDLike(h.App, h.Handle) && !contentrule.Placeholder(h.Handle):
						t.Errorf("%s: %s handle %q does not read as a placeholder", e.ID, h.App, h.Handle)
					}
				}
			}
		})
	}
}
