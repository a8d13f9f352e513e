// Command hwgen writes generated training examples as JSON Lines to
// standard output: hwgen -seed 1 -n 50000 > train.jsonl.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/handlewatch/handlewatch/detector/gen"
)

func main() {
	seed := flag.Uint64("seed", 1, "random seed; the same seed writes the same examples")
	n := flag.Int("n", 50000, "number of examples")
	families := flag.Bool("families", false, "list the family names and exit")
	flag.Parse()
	if err := run(*seed, *n, *families); err != nil {
		fmt.Fprintln(os.Stderr, "hwgen:", err)
		os.Exit(1)
	}
}

func run(seed uint64, n int, families bool) error {
	w := bufio.NewWriter(os.Stdout)
	if families {
		for _, f := range gen.Families() {
			fmt.Fprintln(w, f)
		}
		return w.Flush()
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range gen.Generate(seed, n) {
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("writing example %s: %w", e.ID, err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("flushing output: %w", err)
	}
	return nil
}
