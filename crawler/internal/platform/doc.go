// Package platform owns what the platform adapters (crawler/reddit,
// crawler/mastodon, crawler/bluesky, crawler/tumblr, crawler/telegram,
// crawler/lemmy) share beyond the source contract: JSON fetches that
// refuse login pages, rate-limit pauses, and the window cursor and paging
// options that turn a newest-first listing into "what is new since last
// time", and Collect, the one paging loop that reads such a listing. What every kind shares lives in crawler/source: text, links and
// media reduced by one set of rules (ReduceHTML, MarkdownText,
// FinishPost) and strict options (Options).
//
// It does no I/O: adapters fetch through source.Fetcher.
package platform
