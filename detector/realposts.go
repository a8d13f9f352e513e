package detector

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// ReadPosts reads real posts as benign examples: a JSON array of wire
// posts (the crawler's golden files) or JSON Lines of posts or dump
// records ({"id", "text"} or Reddit's title/selftext/body). They are what
// the false-positive rate is measured on, and negatives for training.
func ReadPosts(path string) ([]CorpusExample, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading posts: %w", err)
	}
	base := filepath.Base(path)
	trimmed := bytes.TrimSpace(data)
	var out []CorpusExample
	add := func(id, text, lang string) {
		if strings.TrimSpace(text) != "" {
			out = append(out, CorpusExample{ID: base + "#" + id, Text: text, Label: LabelBenign, Lang: lang, Family: "real"})
		}
	}
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var posts []wire.Post
		if err := json.Unmarshal(trimmed, &posts); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for _, p := range posts {
			add(p.ID, analysedText(&p), p.Lang)
		}
		return out, nil
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var rec struct {
			ID, Text, Title, Selftext, Body, Lang string
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if rec.ID == "" {
			rec.ID = fmt.Sprint(n)
		}
		text := strings.TrimSpace(strings.Join([]string{rec.Text, rec.Title, rec.Selftext, rec.Body}, "\n"))
		add(rec.ID, text, rec.Lang)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// RealReport is the false-positive measure on real posts.
type RealReport struct {
	Posts     int           `json:"posts"`
	Scored    int           `json:"scored"` // with a handle candidate: the only ones that reach the scorer
	Findings  []EvalExample `json:"findings"`
	FPRate    float64       `json:"fp_rate"`
	FileCount int           `json:"files"`
}

// EvaluateReal runs the engine over real (benign) posts and lists every
// finding: on real posts each one is a false positive.
func EvaluateReal(e *Engine, paths []string) (*RealReport, error) {
	rep := &RealReport{FileCount: len(paths)}
	for _, p := range paths {
		exs, err := ReadPosts(p)
		if err != nil {
			return nil, err
		}
		for _, ex := range exs {
			rep.Posts++
			a := e.Analyze(corpusPost(ex))
			if len(a.Handles) > 0 {
				rep.Scored++
			}
			if a.Finding {
				rep.Findings = append(rep.Findings, EvalExample{ID: ex.ID, Label: LabelBenign, Predicted: LabelSolicitation,
					Score: a.Score, Reason: a.Reason, Lang: ex.Lang, Text: ex.Text})
			}
		}
	}
	if rep.Posts > 0 {
		rep.FPRate = float64(len(rep.Findings)) / float64(rep.Posts)
	}
	return rep, nil
}
