// Package mastodon owns the Mastodon adapter: hashtag timelines, account
// statuses and (where the server allows it) the public timeline of one
// instance, mapped to wire.Post.
//
// Mastodon 4.5+ publishes configuration.timelines_access in
// /api/v2/instance: live feeds (the public timeline) and hashtag feeds,
// each for local and remote posts, are public, authenticated or disabled.
// mastodon.social disables its live feeds (fixture
// instance_v2_mastodon.social_2026-08.json). The adapter reads that first
// (cached for an hour) and refuses a disabled feed with source.ErrBlocked
// naming the setting, instead of polling an empty array forever; a feed
// open for local posts only is polled with local=true.
//
// Source: base_url is the instance (https://mastodon.social), required.
//
// Targets:
//
//	tag:NAME         hashtag timeline (/api/v1/timelines/tag/NAME)
//	account:ACCT     an account's statuses (user or user@host, resolved
//	                 with /api/v1/accounts/lookup)
//	public           public timeline, local and remote
//	public:local     public timeline, this instance's posts only
//	public:remote    public timeline, other instances' posts only
//
// Auth (optional): auth.token_env names a bearer token (needed where a
// feed is "authenticated").
//
// Options:
//
//	limit            statuses per request, 1..40 (default 40)
//	exclude_replies  account targets: leave replies out (default false)
//
// Cursor: the newest status id seen. A poll asks for min_id=<cursor>,
// which returns the page immediately newer than the cursor, still
// newest-first; the poll returns it oldest first, moves the cursor to the
// page's newest id (Link rel="prev" min_id) and sets Batch.More when the
// page was full. The first poll reads the newest page only.
//
// Mapping: boosts are unwrapped (the post is the boosted status: its id,
// author and text) and deduplicated by the original's id; a quoted status
// (Mastodon 4.5+ quote.quoted_status, accepted) is published as a post of
// its own and its "RE:" link paragraph (.quote-inline) is left out of the
// quoting post's text. Text is the content warning and the content,
// HTML reduced to text, plus poll options. Links are the content's
// anchors minus mentions and hashtags, plus card.url; media attachments
// are counted, never listed. X-RateLimit-Remaining below 1 pauses the
// adapter until X-RateLimit-Reset (an ISO time).
package mastodon
