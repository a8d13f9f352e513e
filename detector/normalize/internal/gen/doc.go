// Command gen writes the fold table of package normalize (tables.go) from
// Unicode's published data; go generate runs it. See internal/foldgen.
package main
