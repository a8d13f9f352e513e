package stats

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/internal/bus"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var studyA = []byte("study-a-key-0123456789abcdef")

func export(t *testing.T, fx fixture, opts ExportOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := Export(ctx, fx.replay(), &b, opts); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// rawValues are every identifying value of the fixture: handles, authors,
// author URLs, permalinks, post ids, finding ids and the text.
func rawValues(fx fixture) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, f := range fx.findings {
		add(f.ID)
		add(f.Post.ID)
		add(f.Post.Permalink)
		add(f.Post.Author)
		add(f.Post.AuthorURL)
		add(f.Excerpt.Text)
		for _, h := range f.Handles {
			add(h.Handle)
			add(h.Raw)
		}
	}
	return out
}

func TestExportHoldsNoRawIdentifiers(t *testing.T) {
	fx := theFixture()
	for _, format := range []string{"csv", "ndjson"} {
		t.Run(format, func(t *testing.T) {
			out := export(t, fx, ExportOptions{Format: format, StudyKey: studyA})
			for _, raw := range rawValues(fx) {
				if strings.Contains(out, raw) {
					t.Errorf("export contains the raw value %q", raw)
				}
			}
			if strings.Contains(out, "trading") || strings.Contains(out, "https://") {
				t.Error("export contains post text or a URL")
			}
		})
	}
}

func TestExportPseudonyms(t *testing.T) {
	fx := theFixture()
	a1 := export(t, fx, ExportOptions{Format: "ndjson", StudyKey: studyA})
	a2 := export(t, fx, ExportOptions{Format: "ndjson", StudyKey: studyA})
	b := export(t, fx, ExportOptions{Format: "ndjson", StudyKey: []byte("study-b-key-fedcba9876543210")})
	if a1 != a2 {
		t.Fatal("the same study gave different pseudonyms")
	}
	rowsA, rowsB := decodeRows(t, a1), decodeRows(t, b)
	if len(rowsA) != len(fx.findings) {
		t.Fatalf("%d rows, want %d", len(rowsA), len(fx.findings))
	}
	// Within a study: the same handle is the same pseudonym. Findings 0
	// and 1 both advertise tg_a; finding 2 advertises tg_b.
	if rowsA[0].HandlePseudonyms[0] != rowsA[1].HandlePseudonyms[0] || rowsA[0].HandlePseudonyms[0] == rowsA[2].HandlePseudonyms[0] {
		t.Fatalf("handle pseudonyms not stable within the study: %v %v %v", rowsA[0].HandlePseudonyms, rowsA[1].HandlePseudonyms, rowsA[2].HandlePseudonyms)
	}
	// Authors: author_0 posted findings 0 and 3 on reddit-a.
	if rowsA[0].AuthorPseudonym != rowsA[3].AuthorPseudonym || rowsA[0].AuthorPseudonym == rowsA[1].AuthorPseudonym {
		t.Fatal("author pseudonyms not stable within the study")
	}
	// …and an author of the same name on another source is someone else.
	if rowsA[0].AuthorPseudonym == rowsA[8].AuthorPseudonym {
		t.Fatal("author_0 on reddit-a and on masto-b share a pseudonym")
	}
	// Across studies nothing links.
	for i := range rowsA {
		if rowsA[i].Finding == rowsB[i].Finding || rowsA[i].HandlePseudonyms[0] == rowsB[i].HandlePseudonyms[0] ||
			rowsA[i].AuthorPseudonym == rowsB[i].AuthorPseudonym {
			t.Fatalf("row %d links across studies", i)
		}
	}
	// The two-handle finding keeps both, aligned with their apps.
	if r := rowsA[7]; len(r.Apps) != 2 || r.Apps[0] != "telegram" || r.Apps[1] != "wickr" || len(r.HandlePseudonyms) != 2 {
		t.Fatalf("two-handle row %+v", r)
	}
}

func decodeRows(t *testing.T, s string) []ExportRow {
	t.Helper()
	var rows []ExportRow
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		var r ExportRow
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	return rows
}

func TestExportCSVGolden(t *testing.T) {
	out := export(t, theFixture(), ExportOptions{Format: "csv", StudyKey: studyA})
	path := filepath.Join("testdata", "export.golden.csv")
	if *update {
		os.MkdirAll("testdata", 0o755)
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if out != string(want) {
		t.Fatalf("CSV export differs from %s:\n%s", path, out)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 14 || strings.Join(recs[0], ",") != strings.Join(CSVHeader, ",") {
		t.Fatalf("CSV: %d records, header %v, %v", len(recs), recs[0], err)
	}
}

func TestExportOptions(t *testing.T) {
	fx := theFixture()
	t.Run("refused without a key", func(t *testing.T) {
		for _, opts := range []ExportOptions{{}, {StudyKeyEnv: "HW_TEST_STATS_NO_SUCH_KEY"}, {StudyKey: []byte("short")}} {
			if err := Export(ctx, fx.replay(), &bytes.Buffer{}, opts); err == nil {
				t.Errorf("exported with %+v", opts)
			}
		}
	})
	t.Run("key from the environment", func(t *testing.T) {
		t.Setenv("HW_TEST_STATS_KEY", string(studyA))
		if export(t, fx, ExportOptions{StudyKeyEnv: "HW_TEST_STATS_KEY"}) != export(t, fx, ExportOptions{StudyKey: studyA}) {
			t.Fatal("the env key and the same key given directly differ")
		}
	})
	t.Run("text only when asked, spreadsheet-safe", func(t *testing.T) {
		g := fx
		g.findings = append(g.findings[:0:0], fx.findings...)
		g.findings[0].Excerpt.Text = "=HYPERLINK(\"x\") wickr: placeholder"
		out := export(t, g, ExportOptions{StudyKey: studyA, IncludeText: true})
		recs, _ := csv.NewReader(strings.NewReader(out)).ReadAll()
		if recs[0][len(recs[0])-1] != "text" || recs[1][len(recs[1])-1] != "'=HYPERLINK(\"x\") wickr: placeholder" {
			t.Fatalf("text column: %v / %v", recs[0], recs[1])
		}
	})
	t.Run("date range", func(t *testing.T) {
		rows := decodeRows(t, export(t, fx, ExportOptions{Format: "ndjson", StudyKey: studyA, From: day2, To: day2}))
		if len(rows) != 1 || rows[0].Day != "2026-03-02" {
			t.Fatalf("rows %+v", rows)
		}
	})
	t.Run("repeats and junk", func(t *testing.T) {
		var skipped []string
		dup, _ := json.Marshal(fx.findings[0])
		var b bytes.Buffer
		err := Export(ctx, fx.replay(bus.Msg{MsgID: "dup", Data: dup}, bus.Msg{MsgID: "junk", Data: []byte("nope")}), &b,
			ExportOptions{Format: "ndjson", StudyKey: studyA, OnSkip: func(id string, _ error) { skipped = append(skipped, id) }})
		if err != nil || len(decodeRows(t, b.String())) != len(fx.findings) || len(skipped) != 1 || skipped[0] != "junk" {
			t.Fatalf("err %v, skipped %v", err, skipped)
		}
	})
	t.Run("unknown format", func(t *testing.T) {
		if err := Export(ctx, fx.replay(), &bytes.Buffer{}, ExportOptions{Format: "xlsx", StudyKey: studyA}); err == nil {
			t.Fatal("exported as xlsx")
		}
	})
}
