package main

import (
	"context"
	"os"

	"github.com/handlewatch/handlewatch/internal/app"
)

func main() {
	app.ApplyMemoryLimit()
	os.Exit(app.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
