// Package crawler owns how handlewatch sees the world: the approved
// sources of the config, fetched politely (robots.txt, one rate limit per
// host, backoff honouring Retry-After and rate-limit headers, our own
// User-Agent), never media (content-type gate, media URL filter, a body cap
// that rejects), incrementally (a cursor per target, seen-post keys), and
// published as wire.Post.
//
// The root package is the scheduler: it builds each source's adapter in
// kinds.go, polls every target at its interval under a concurrency bound
// (or runs its stream), publishes each post once (seen key first, cursor
// after) and keeps per-target health in metrics and one log line per run.
// crawler/fetch is the polite HTTP client, crawler/source the contract
// with the adapters, and crawler/<kind> the adapters themselves.
package crawler
