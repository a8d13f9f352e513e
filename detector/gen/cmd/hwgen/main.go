// Command hwgen writes generated training examples as JSON Lines to
// standard output:
//
//	go run ./detector/gen/cmd/hwgen -seed 1 -n 50000 > train.jsonl
//	go run ./detector/gen/cmd/hwgen -families
//	go run ./detector/gen/cmd/hwgen -n 50000 -stats
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/handlewatch/handlewatch/detector/gen"
)

func main() {
	seed := flag.Uint64("seed", 1, "random seed; the same seed writes the same examples")
	n := flag.Int("n", 50000, "number of examples")
	families := flag.Bool("families", false, "list the family names and exit")
	stats := flag.Bool("stats", false, "print counts per family, language and label instead of the examples")
	flag.Parse()
	if err := run(os.Stdout, *seed, *n, *families, *stats); err != nil {
		fmt.Fprintln(os.Stderr, "hwgen:", err)
		os.Exit(1)
	}
}

func run(out io.Writer, seed uint64, n int, families, stats bool) error {
	w := bufio.NewWriter(out)
	switch {
	case families:
		for _, f := range gen.Families() {
			fmt.Fprintln(w, f)
		}
	case stats:
		writeStats(w, gen.Generate(seed, n))
	default:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, e := range gen.Generate(seed, n) {
			if err := enc.Encode(e); err != nil {
				return fmt.Errorf("writing example %s: %w", e.ID, err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("flushing output: %w", err)
	}
	return nil
}

func writeStats(w io.Writer, ex []gen.Example) {
	count := func(key func(gen.Example) string) {
		m := map[string]int{}
		for _, e := range ex {
			m[key(e)]++
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  %-28s %6d\n", k, m[k])
		}
	}
	fmt.Fprintf(w, "%d examples\nlabel:\n", len(ex))
	count(func(e gen.Example) string { return e.Label })
	fmt.Fprintln(w, "language:")
	count(func(e gen.Example) string { return e.Lang })
	fmt.Fprintln(w, "family:")
	count(func(e gen.Example) string { return e.Family })
}
