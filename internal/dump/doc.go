// Package dump owns reading NDJSON dump files, the one reader `scan` and
// the file crawler share: opening with decompression chosen by extension
// (.gz, .zst, .zstd, any letter case), reading lines of any length up to a
// bound, and decoding a line into Line, the union of the shapes dumps
// take ({id, text}, Reddit submissions and comments, wire.Post). What a
// Line means as a post is each consumer's business: the crawler reduces
// Reddit markdown, scan keeps the text as written.
//
// Decode has a hand-rolled fast path for flat lines (the common case; it
// skips the reflection of a general decoder) and falls back to goccy/go-json
// for anything it does not handle; the fuzz test holds the two to the same
// result.
package dump
