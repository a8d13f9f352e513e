// Package crawler owns how handlewatch sees the world: the approved
// sources of the config, fetched politely (robots.txt, one rate limit per
// host, backoff honouring Retry-After and rate-limit headers, our own
// User-Agent), never media (content-type gate, media URL filter, a body cap
// that rejects), incrementally (a cursor per target, seen-post keys), and
// published as wire.Post.
package crawler
