// Package platform owns what the platform adapters (crawler/reddit,
// crawler/mastodon, crawler/bluesky, crawler/tumblr, crawler/telegram,
// crawler/lemmy) share beyond the source contract: JSON fetches that
// refuse login pages, rate-limit pauses, strict kind-specific options and
// the window cursor that turns a newest-first listing into "what is new
// since last time". Text, links and media are reduced by crawler/source
// (ReduceHTML, MarkdownText, FinishPost), which every kind shares.
//
// It does no I/O: adapters fetch through source.Fetcher.
package platform
