package detector

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/handlewatch/handlewatch/internal/dump"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// ReadPosts reads real posts as benign examples: a JSON array of wire
// posts (the crawler's golden files), or a dump that scan reads (JSON
// Lines, .gz, .zst), each line turned into a post exactly as scan does.
// They are what the false-positive rate is measured on, and negatives for
// training.
func ReadPosts(path string) ([]CorpusExample, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading posts: %w", err)
	}
	defer f.Close()
	r, closeR, err := dump.NewReader(f, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer closeR()
	br := bufio.NewReaderSize(r, 1<<16)
	base := filepath.Base(path)
	var out []CorpusExample
	add := func(p *wire.Post) {
		if text := analysedText(p); strings.TrimSpace(text) != "" {
			out = append(out, CorpusExample{ID: base + "#" + p.ID, Text: text, Label: LabelBenign, Lang: p.Lang, Family: "real"})
		}
	}
	if first, _ := br.Peek(1); len(first) == 1 && first[0] == '[' {
		var posts []wire.Post
		if err := json.NewDecoder(br).Decode(&posts); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for i := range posts {
			add(&posts[i])
		}
		return out, nil
	}
	var l dump.Line
	for n := int64(1); ; n++ {
		line, _, rerr := dump.ReadLine(br, scanMaxLine)
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return nil, fmt.Errorf("%s:%d: %w", path, n, rerr)
		}
		if len(bytes.TrimSpace(line)) > 0 {
			l = dump.Line{}
			p, err := scanPost(string(line), &l, path, n)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, n, err)
			}
			add(p)
		}
		if rerr != nil {
			return out, nil
		}
	}
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
