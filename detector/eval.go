package detector

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"

	json "github.com/goccy/go-json"

	"github.com/handlewatch/handlewatch/detector/handles"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Corpus labels.
const (
	LabelSolicitation = "solicitation"
	LabelBenign       = "benign"
)

// CorpusExample is one line of a labelled corpus.
type CorpusExample struct {
	ID      string         `json:"id"`
	Text    string         `json:"text"`
	Label   string         `json:"label"`
	Handles []CorpusHandle `json:"handles"`
	Lang    string         `json:"lang"`
	Tags    []string       `json:"tags"`
	Family  string         `json:"family,omitempty"` // the generator's template family, for leave-one-family-out
}

// CorpusHandle is a labelled handle: app and canonical handle.
type CorpusHandle struct {
	App    string `json:"app"`
	Handle string `json:"handle"`
}

// Confusion counts verdicts against labels (solicitation is positive).
type Confusion struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	TN int `json:"tn"`
	FN int `json:"fn"`
}

func (c Confusion) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }
func (c Confusion) Recall() float64    { return ratio(c.TP, c.TP+c.FN) }
func (c Confusion) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1 // nothing to get wrong
	}
	return float64(a) / float64(b)
}

func (c *Confusion) add(label string, predicted bool) {
	switch {
	case label == LabelSolicitation && predicted:
		c.TP++
	case label == LabelSolicitation:
		c.FN++
	case predicted:
		c.FP++
	default:
		c.TN++
	}
}

// HandleScore is handle-extraction accuracy: predicted (app, handle)
// pairs against labelled ones.
type HandleScore struct {
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// EvalExample is a misclassified example, or one whose handles differ.
type EvalExample struct {
	ID        string   `json:"id"`
	Label     string   `json:"label"`
	Predicted string   `json:"predicted"`
	Score     float64  `json:"score"`
	Reason    string   `json:"reason"`
	Lang      string   `json:"lang,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	Text      string   `json:"text"`
	Missed    []string `json:"missed_handles,omitempty"`   // labelled, not found
	Spurious  []string `json:"spurious_handles,omitempty"` // found, not labelled
}

// EvalReport is Eval's result.
type EvalReport struct {
	Corpus        string                  `json:"corpus"`
	RulesVersion  string                  `json:"rules_version"`
	Model         string                  `json:"model,omitempty"`
	Examples      int                     `json:"examples"`
	Confusion     Confusion               `json:"confusion"`
	Precision     float64                 `json:"precision"`
	Recall        float64                 `json:"recall"`
	F1            float64                 `json:"f1"`
	ByLang        map[string]Confusion    `json:"by_lang"`
	ByTag         map[string]Confusion    `json:"by_tag"`
	Handles       HandleScore             `json:"handles"`
	HandlesByApp  map[string]*HandleScore `json:"handles_by_app"`
	Misclassified []EvalExample           `json:"misclassified"`
	HandleErrors  []EvalExample           `json:"handle_errors"`
}

// Eval scores a labelled corpus and writes the report (text, or JSON when
// asJSON) to out.
func Eval(e *Engine, corpus string, out io.Writer, asJSON bool) error {
	rep, err := Evaluate(e, corpus)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	return rep.WriteText(out)
}

// ReadCorpus reads a labelled corpus; a bad line is an error naming it.
func ReadCorpus(path string) ([]CorpusExample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading corpus: %w", err)
	}
	defer f.Close()
	var out []CorpusExample
	ids := map[string]int{}
	br := bufio.NewReader(f)
	for n := 1; ; n++ {
		line, rerr := br.ReadBytes('\n')
		if len(strings.TrimSpace(string(line))) > 0 {
			var ex CorpusExample
			if err := json.Unmarshal(line, &ex); err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, n, err)
			}
			switch {
			case ex.ID == "":
				return nil, fmt.Errorf("%s:%d: missing id", path, n)
			case ex.Label != LabelSolicitation && ex.Label != LabelBenign:
				return nil, fmt.Errorf("%s:%d: label %q is neither %s nor %s", path, n, ex.Label, LabelSolicitation, LabelBenign)
			case ids[ex.ID] > 0:
				return nil, fmt.Errorf("%s:%d: id %q already used on line %d", path, n, ex.ID, ids[ex.ID])
			}
			ids[ex.ID] = n
			out = append(out, ex)
		}
		if rerr == io.EOF {
			return out, nil
		}
		if rerr != nil {
			return nil, fmt.Errorf("reading corpus: %w", rerr)
		}
	}
}

// Evaluate scores a labelled corpus file.
func Evaluate(e *Engine, corpus string) (*EvalReport, error) {
	exs, err := ReadCorpus(corpus)
	if err != nil {
		return nil, err
	}
	rep := EvaluateExamples(e, exs)
	rep.Corpus = corpus
	return rep, nil
}

// EvaluateExamples scores examples. A post is predicted a solicitation
// when the engine makes a finding; handle accuracy is measured on every
// example, benign ones included.
func EvaluateExamples(e *Engine, exs []CorpusExample) *EvalReport {
	rep := &EvalReport{RulesVersion: e.RulesVersion(), Model: modelVersion(e), Examples: len(exs), ByLang: map[string]Confusion{},
		ByTag: map[string]Confusion{}, HandlesByApp: map[string]*HandleScore{}}
	for _, ex := range exs {
		p := corpusPost(ex)
		a := e.Analyze(p)
		predicted := a.Finding
		rep.Confusion.add(ex.Label, predicted)
		c := rep.ByLang[ex.Lang]
		c.add(ex.Label, predicted)
		rep.ByLang[ex.Lang] = c
		for _, t := range ex.Tags {
			c := rep.ByTag[t]
			c.add(ex.Label, predicted)
			rep.ByTag[t] = c
		}
		verdict := LabelBenign
		if predicted {
			verdict = LabelSolicitation
		}
		item := EvalExample{ID: ex.ID, Label: ex.Label, Predicted: verdict, Score: a.Score, Reason: a.Reason,
			Lang: ex.Lang, Tags: ex.Tags, Text: ex.Text}
		item.Missed, item.Spurious = rep.scoreHandles(ex, a)
		if verdict != ex.Label {
			rep.Misclassified = append(rep.Misclassified, item)
		}
		if len(item.Missed)+len(item.Spurious) > 0 {
			rep.HandleErrors = append(rep.HandleErrors, item)
		}
	}
	rep.Precision, rep.Recall, rep.F1 = rep.Confusion.Precision(), rep.Confusion.Recall(), rep.Confusion.F1()
	for _, s := range rep.HandlesByApp {
		s.Precision, s.Recall = ratio(s.TP, s.TP+s.FP), ratio(s.TP, s.TP+s.FN)
	}
	rep.Handles.Precision = ratio(rep.Handles.TP, rep.Handles.TP+rep.Handles.FP)
	rep.Handles.Recall = ratio(rep.Handles.TP, rep.Handles.TP+rep.Handles.FN)
	return rep
}

func corpusPost(ex CorpusExample) *wire.Post {
	return &wire.Post{Schema: wire.SchemaVersion, Source: "corpus", SourceKind: "file", ID: ex.ID, Text: ex.Text, Lang: ex.Lang}
}

// labelForm is a handle as labelled sets may write it: labellers differ
// on a Telegram invite's '+' and on a long SimpleX link's host, and either
// way it is the same contact, so eval compares them without.
func labelForm(app, h string) string {
	switch app {
	case "telegram":
		if rest, ok := strings.CutPrefix(h, "+"); ok && strings.Trim(rest, "0123456789") != "" {
			return rest
		}
	case "simplex":
		// Labellers write a link whole, with or without its scheme; the
		// extractor writes a short link's token and a long link from
		// simplex.chat/ on.
		if c, ok := handles.Canonical("simplex", h); ok {
			h = c
		}
		return strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(h, "https://"), "http://"), "simplex.chat/")
	case "briar":
		return strings.TrimPrefix(h, "briar://") // labellers write the link or its key
	}
	return h
}

func (rep *EvalReport) scoreHandles(ex CorpusExample, a *Analysis) (missed, spurious []string) {
	want := map[string]string{}
	for _, h := range ex.Handles {
		want[h.App+":"+labelForm(h.App, h.Handle)] = h.App
	}
	got := map[string]string{}
	for _, h := range a.Handles {
		got[h.App+":"+labelForm(h.App, h.Handle)] = h.App
	}
	app := func(name string) *HandleScore {
		s := rep.HandlesByApp[name]
		if s == nil {
			s = &HandleScore{}
			rep.HandlesByApp[name] = s
		}
		return s
	}
	for k, name := range want {
		if _, ok := got[k]; ok {
			app(name).TP++
			rep.Handles.TP++
		} else {
			app(name).FN++
			rep.Handles.FN++
			missed = append(missed, k)
		}
	}
	for k, name := range got {
		if _, ok := want[k]; !ok {
			app(name).FP++
			rep.Handles.FP++
			spurious = append(spurious, k)
		}
	}
	sort.Strings(missed)
	sort.Strings(spurious)
	return missed, spurious
}

// WriteText writes the report for a terminal.
func (rep *EvalReport) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	c := rep.Confusion
	ew.printf("corpus %s, rules %s, model %s: %d examples\n", rep.Corpus, rep.RulesVersion, orNone(rep.Model), rep.Examples)
	ew.printf("solicitation: precision %.3f  recall %.3f  F1 %.3f\n", rep.Precision, rep.Recall, rep.F1)
	ew.printf("confusion: TP %d  FP %d  TN %d  FN %d\n", c.TP, c.FP, c.TN, c.FN)
	ew.printf("\nby language:\n")
	for _, k := range slices.Sorted(maps.Keys(rep.ByLang)) {
		v := rep.ByLang[k]
		ew.printf("  %-6s P %.3f  R %.3f  (TP %d FP %d TN %d FN %d)\n", k, v.Precision(), v.Recall(), v.TP, v.FP, v.TN, v.FN)
	}
	ew.printf("\nby tag:\n")
	for _, k := range slices.Sorted(maps.Keys(rep.ByTag)) {
		v := rep.ByTag[k]
		ew.printf("  %-22s P %.3f  R %.3f  (TP %d FP %d TN %d FN %d)\n", k, v.Precision(), v.Recall(), v.TP, v.FP, v.TN, v.FN)
	}
	ew.printf("\nhandles: precision %.3f  recall %.3f  (TP %d FP %d FN %d)\n", rep.Handles.Precision, rep.Handles.Recall,
		rep.Handles.TP, rep.Handles.FP, rep.Handles.FN)
	for _, k := range slices.Sorted(maps.Keys(rep.HandlesByApp)) {
		v := rep.HandlesByApp[k]
		ew.printf("  %-10s P %.3f  R %.3f  (TP %d FP %d FN %d)\n", k, v.Precision, v.Recall, v.TP, v.FP, v.FN)
	}
	if len(rep.Misclassified) > 0 {
		ew.printf("\nmisclassified (%d):\n", len(rep.Misclassified))
		for _, m := range rep.Misclassified {
			ew.printf("  %s  label %s  predicted %s  score %.3f  (%s)\n    %s\n", m.ID, m.Label, m.Predicted, m.Score, m.Reason, OneLine(m.Text))
		}
	}
	if len(rep.HandleErrors) > 0 {
		ew.printf("\nhandle errors (%d):\n", len(rep.HandleErrors))
		for _, m := range rep.HandleErrors {
			ew.printf("  %s  missed %v  spurious %v\n    %s\n", m.ID, m.Missed, m.Spurious, OneLine(m.Text))
		}
	}
	return ew.err
}

func OneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		i := 200
		for i > 0 && s[i]&0xC0 == 0x80 {
			i--
		}
		s = s[:i] + "…"
	}
	return s
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
