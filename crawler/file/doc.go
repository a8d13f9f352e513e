// Package file owns the file source kind: NDJSON / JSON Lines dumps
// (plain, .gz, or .zst including the Pushshift/Arctic Shift Reddit dumps
// with their 2 GiB zstd window) replayed as a stream for backfills. Each
// line of {id, text} or Reddit fields becomes a wire.Post; the cursor is
// the file and the offset after the last line handed over, so a restart
// resumes where it stopped; a malformed line is logged with file:line and
// skipped, and a compressed file that is corrupt, truncated or a
// decompression bomb is logged once, marked done, and the next file read.
package file
