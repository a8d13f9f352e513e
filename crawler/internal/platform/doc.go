// Package platform owns what the platform adapters (crawler/reddit,
// crawler/mastodon, crawler/bluesky, crawler/tumblr, crawler/telegram,
// crawler/lemmy) share: HTML and markdown reduced to plain text, the media
// URL classification that keeps media out of every post, the last checks a
// post passes before it leaves an adapter (Finish), and the window cursor
// that turns a newest-first listing into "what is new since last time".
//
// It does no I/O: adapters fetch through source.Fetcher.
package platform
