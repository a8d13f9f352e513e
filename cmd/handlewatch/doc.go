// Command handlewatch runs every stage of handlewatch: see README.md and
// `handlewatch help`.
//
// default.pgo is a CPU profile of the scan benchmark, which go build
// reads to inline and lay out the hot path (normalise, extract, decode)
// past its usual budget (chunkAt, lowerWord): 4% fewer instructions per scanned line, the same
// results, a longer first build. Regenerate it after large changes to
// the detector:
//
//	go test -run '^$' -bench 'BenchmarkScan$' -benchtime 150x -cpuprofile cmd/handlewatch/default.pgo ./detector/
package main
