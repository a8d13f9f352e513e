// Package badinput generates a seeded corpus of malformed source payloads
// for the bad-input tests of the crawler and of scan: invalid JSON, HTML
// where JSON is expected, invalid UTF-8, deep nesting (JSON, XML, HTML),
// 50 MB fields, endless chunked bodies, decompression bombs in HTTP
// bodies and in .gz/.zst dumps, truncated and empty bodies, NUL bytes,
// broken XML, fields of the wrong type, corrupt compressed files.
//
// Every payload is meant for one source kind (an HTTP body of reddit,
// mastodon, lemmy, tumblr, bluesky, rss, telegram or html, a Jetstream
// websocket message, a line of an NDJSON dump, or a whole dump file) and
// has one class. A payload is a small description; its bytes are written
// on demand by WriteTo, streamed, so a corpus of ten thousand payloads
// with 50 MB fields and gigabyte bombs takes almost no memory. The same
// seed gives the same corpus.
//
// Valid writes a well-formed payload of a kind carrying one post with a
// marker, so that tests can interleave real posts with the garbage and
// check that each of them arrives.
//
// Text in payloads is neutral filler and placeholder markers: no
// solicitation language, no real handles.
package badinput
