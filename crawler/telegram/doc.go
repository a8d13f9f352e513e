// Package telegram owns the Telegram adapter: the public web preview of
// broadcast channels (https://t.me/s/CHANNEL), read as HTML and mapped to
// wire.Post, one per message. No API, no login: only channels whose owner
// keeps the preview public can be read.
//
// A channel that does not exist, or has no public preview (a user, a
// group, a private channel), still answers 200 with a contact page and no
// messages. The adapter judges by content and returns ErrNoPreview ("channel
// X has no public preview or does not exist"), never a silent empty batch.
//
// Source: base_url defaults to https://t.me.
//
// Targets: channel usernames, "durov" or "@durov" (5..32 letters, digits
// and underscores). The messages' data-post prefix may differ from the
// name asked for (t.me/s/codecamp shows campcode/2357): post ids use the
// prefix the page shows.
//
// Options:
//
//	backfill_pages  older pages (?before=) the first poll of a channel also
//	                reads, 0..50 (default 0: the newest page only)
//	max_pages       pages a later poll reads back to close a gap since the
//	                last poll, 1..20 (default 5)
//
// Cursor: the newest message id returned. A poll reads the newest page
// and, while every message on it is newer than the cursor and the page
// links an older one (<link rel="prev">, data-before), pages back with
// ?before= up to max_pages, so a burst between polls is not lost.
//
// Mapping: id "channel/123", permalink https://t.me/channel/123, author
// the channel's name as shown (its username when the name is empty),
// text the message text (a reply's quoted text is not taken) plus poll
// questions and options and document titles, links the text's anchors
// (hashtag searches left out; t.me mentions kept: they are what the
// detector looks for) and the link preview's target. Photos, videos,
// round videos, voice notes, stickers and documents are counted, never
// listed; their CDN URLs never leave the page.
package telegram
