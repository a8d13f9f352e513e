package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/detector/gen"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name            string
		n               int
		families, stats bool
		lines           int
		contains        string
	}{
		{name: "examples", n: 25, lines: 25, contains: `"family":"`},
		{name: "families", families: true, lines: len(gen.Families()), contains: "neg.news.arrest"},
		{name: "stats", n: 100, stats: true, contains: "100 examples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(&out, 1, tt.n, tt.families, tt.stats); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), tt.contains) {
				t.Errorf("output lacks %q", tt.contains)
			}
			if tt.lines == 0 {
				return
			}
			sc := bufio.NewScanner(&out)
			sc.Buffer(nil, 1<<20)
			got := 0
			for sc.Scan() {
				got++
				if tt.families {
					continue
				}
				var e gen.Example
				if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.ID == "" || e.Text == "" {
					t.Errorf("line %d: %v %+v", got, err, e)
				}
			}
			if got != tt.lines {
				t.Errorf("%d lines, want %d", got, tt.lines)
			}
		})
	}
}
