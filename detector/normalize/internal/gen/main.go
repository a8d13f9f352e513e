package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/handlewatch/handlewatch/detector/normalize/internal/foldgen"
)

func main() {
	out := flag.String("o", "tables.go", "output file")
	flag.Parse()
	src, err := foldgen.Generate()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
