package stats

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
)

func TestCommandText(t *testing.T) {
	var out bytes.Buffer
	err := Command(ctx, theFixture().replay(), &out, CommandOptions{From: day1, To: day2, BySource: true,
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "stats.golden.txt")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if out.String() != string(want) {
		t.Fatalf("stats table differs from %s:\n%s", path, out.String())
	}
}

func TestCommandJSON(t *testing.T) {
	var out bytes.Buffer
	err := Command(ctx, theFixture().replay(bus.Msg{MsgID: "junk", Data: []byte("{")}), &out,
		CommandOptions{From: day1, To: day2, BySource: true, JSON: true, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "1 malformed") {
		t.Fatalf("warnings %v", rep.Warnings)
	}
	rep.Warnings = nil
	checkReport(t, rep)
}

// TestCommandFromJetStream publishes the fixture to the real NATS server
// and runs the command on a replay of the streams.
func TestCommandFromJetStream(t *testing.T) {
	b := bustest.External(t)
	fx := theFixture()
	for _, tl := range fx.tallies {
		if _, err := b.Publish(ctx, tl.Subject(), tl.ID, tl); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range fx.findings {
		if _, err := b.Publish(ctx, f.Subject(), f.ID, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, ev := range fx.events {
		if _, err := b.Publish(ctx, ev.Subject(), ev.ID, ev); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := Command(ctx, b.Replay, &out, CommandOptions{From: day1, To: day2, BySource: true, JSON: true,
		Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep)
	var csv bytes.Buffer
	if err := Export(ctx, b.Replay, &csv, ExportOptions{StudyKey: studyA}); err != nil {
		t.Fatal(err)
	}
	golden, _ := os.ReadFile(filepath.Join("testdata", "export.golden.csv"))
	if csv.String() != string(golden) {
		t.Fatalf("export from JetStream differs from the golden file:\n%s", csv.String())
	}
}
