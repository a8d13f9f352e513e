package detector

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEvaluateExamples(t *testing.T) {
	e := smallEngine(t)
	exs := []CorpusExample{
		{ID: "tp", Text: "sell 13yo, wickr: placeholder_01", Label: LabelSolicitation, Lang: "en", Tags: []string{"mention"},
			Handles: []CorpusHandle{{App: "wickr", Handle: "placeholder_01"}}},
		{ID: "fn", Text: "sell 13yo, ask me", Label: LabelSolicitation, Lang: "en", Tags: []string{"mention"},
			Handles: []CorpusHandle{{App: "kik", Handle: "missed_one"}}},
		{ID: "tn", Text: "kik: friend_01 see you", Label: LabelBenign, Lang: "de", Tags: []string{"ordinary"},
			Handles: []CorpusHandle{{App: "kik", Handle: "friend_01"}}},
		{ID: "fp", Text: "pthc is a term they use, telegram: tg_news_desk", Label: LabelBenign, Lang: "de", Tags: []string{"news"}},
	}
	rep := EvaluateExamples(e, exs)
	if rep.Confusion != (Confusion{TP: 1, FN: 1, TN: 1, FP: 1}) {
		t.Fatalf("confusion %+v", rep.Confusion)
	}
	if !near(rep.Precision, 0.5) || !near(rep.Recall, 0.5) || !near(rep.F1, 0.5) {
		t.Fatalf("P %v R %v F1 %v", rep.Precision, rep.Recall, rep.F1)
	}
	if c := rep.ByLang["de"]; c != (Confusion{TN: 1, FP: 1}) {
		t.Fatalf("by lang de %+v", c)
	}
	if c := rep.ByTag["mention"]; c != (Confusion{TP: 1, FN: 1}) {
		t.Fatalf("by tag mention %+v", c)
	}
	// Handles are scored on every example: benign ones too.
	if h := rep.HandlesByApp["kik"]; h == nil || h.TP != 1 || h.FN != 1 || h.FP != 0 || !near(h.Recall, 0.5) {
		t.Fatalf("kik handles %+v", h)
	}
	if h := rep.HandlesByApp["telegram"]; h == nil || h.FP != 1 || !near(h.Precision, 0) {
		t.Fatalf("telegram handles %+v", h)
	}
	if rep.Handles.TP != 2 || rep.Handles.FP != 1 || rep.Handles.FN != 1 {
		t.Fatalf("handles %+v", rep.Handles)
	}
	var ids []string
	for _, m := range rep.Misclassified {
		ids = append(ids, m.ID+":"+m.Predicted)
	}
	if strings.Join(ids, ",") != "fn:benign,fp:solicitation" {
		t.Fatalf("misclassified %v", ids)
	}
}

func TestEvalReports(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "c.jsonl")
	lines := `{"id":"a","text":"sell 13yo, wickr: placeholder_01","label":"solicitation","handles":[{"app":"wickr","handle":"placeholder_01"}],"lang":"en","tags":["mention"]}
{"id":"b","text":"nice weather","label":"benign","handles":[],"lang":"en","tags":["ordinary"]}
`
	if err := os.WriteFile(corpus, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	e := smallEngine(t)
	var text bytes.Buffer
	if err := Eval(e, corpus, &text, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 examples", "precision 1.000  recall 1.000  F1 1.000", "TP 1  FP 0  TN 1  FN 0", "wickr"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := Eval(e, corpus, &js, true); err != nil {
		t.Fatal(err)
	}
	var rep EvalReport
	if err := json.Unmarshal(js.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Examples != 2 || rep.Precision != 1 || rep.RulesVersion != "test-1" || rep.HandlesByApp["wickr"].TP != 1 {
		t.Fatalf("JSON report %+v", rep)
	}
}

func TestReadCorpusErrors(t *testing.T) {
	cases := map[string]string{
		`{"id":"a","text":"x","label":"maybe"}`:                                         `c.jsonl:1: label "maybe" is neither`,
		`{"id":"a","text":"x","label":"benign"}` + "\n" + `{"id":"a","label":"benign"}`: `c.jsonl:2: id "a" already used on line 1`,
		`{"text":"x","label":"benign"}`:                                                 "c.jsonl:1: missing id",
		`{"id":`:                                                                        "c.jsonl:1: ",
	}
	for content, want := range cases {
		path := filepath.Join(t.TempDir(), "c.jsonl")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadCorpus(path)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ReadCorpus(%q) = %v, want %q", content, err, want)
		}
	}
}

// TestCorpusQuality is the quality bar of the shipped rules on the
// labelled corpus: precision at least 0.97 and recall at least 0.95 for
// the solicitation label.
func TestCorpusQuality(t *testing.T) {
	e := shippedEngine(t)
	rep, err := Evaluate(e, filepath.Join("testdata", "corpus.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d examples: precision %.3f recall %.3f F1 %.3f %+v", rep.Examples, rep.Precision, rep.Recall, rep.F1, rep.Confusion)
	t.Logf("handles: precision %.3f recall %.3f %+v", rep.Handles.Precision, rep.Handles.Recall, rep.Handles)
	for _, app := range slices.Sorted(maps.Keys(rep.HandlesByApp)) {
		h := rep.HandlesByApp[app]
		t.Logf("  %-10s P %.3f R %.3f (TP %d FP %d FN %d)", app, h.Precision, h.Recall, h.TP, h.FP, h.FN)
	}
	for _, m := range rep.Misclassified {
		t.Logf("misclassified %s: %s -> %s score %.3f (%s): %q", m.ID, m.Label, m.Predicted, m.Score, m.Reason, OneLine(m.Text))
	}
	if rep.Examples < 650 {
		t.Errorf("corpus has %d examples, want at least 650", rep.Examples)
	}
	if rep.Precision < 0.97 {
		t.Errorf("precision %.3f < 0.97", rep.Precision)
	}
	if rep.Recall < 0.95 {
		t.Errorf("recall %.3f < 0.95", rep.Recall)
	}
}

func TestLabelForm(t *testing.T) {
	for _, tc := range []struct{ app, in, want string }{
		{"telegram", "+AbCdEfDemo12", "AbCdEfDemo12"},
		{"telegram", "AbCdEfDemo12", "AbCdEfDemo12"},
		{"telegram", "+15550100123", "+15550100123"}, // a phone keeps its '+'
		{"simplex", "simplex.chat/contact#/?v=2&smp=demo", "contact#/?v=2&smp=demo"},
		{"simplex", "https://simplex.chat/contact#/?v=2&smp=demo", "contact#/?v=2&smp=demo"},
		{"simplex", "simplex:/contact#/?v=2&smp=demo", "contact#/?v=2&smp=demo"},
		{"simplex", "smp.example.net/a#DemoToken0123456", "DemoToken0123456"}, // a short link is its token
		{"simplex", "https://smp4.simplex.im/g#DemoToken0123456", "DemoToken0123456"},
		{"whatsapp", "+447700900123", "+447700900123"},
	} {
		if got := labelForm(tc.app, tc.in); got != tc.want {
			t.Errorf("labelForm(%s, %q) = %q, want %q", tc.app, tc.in, got, tc.want)
		}
	}
}
