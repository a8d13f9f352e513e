// Package lemmy owns the Lemmy adapter: the newest posts (and optionally
// comments) of communities on one Lemmy instance, read through the v3 API
// of Lemmy 0.19 and mapped to wire.Post.
//
// Source: base_url is the instance (https://lemmy.world), required.
//
// Targets:
//
//	c/NAME              a community of the instance, or a remote one the
//	c/NAME@host         instance follows (community_name=NAME@host)
//	NAME, NAME@host     the same without the c/ prefix
//	c/NAME/comments     the community's newest comments
//
// Auth (optional): auth.token_env names a JWT sent as a bearer token.
//
// Options:
//
//	limit       items per page, 1..50 (default 50)
//	max_pages   pages one poll may read to catch up, 1..10 (default 5);
//	            the first poll reads one page
//	window      ids remembered in the cursor, 100..5000 (default 500)
//
// Cursor: post/list?sort=New is newest first with an opaque page_cursor
// for older pages, and no "since"; as for Reddit, the cursor is a window
// of the ids returned (platform.Window, ordered by the instance's id,
// which grows as posts arrive, so a post federated late is still new).
// A poll follows next_page (comments: page=N) until a page reaches a
// known id or max_pages.
//
// Mapping: id "post/ID" or "comment/ID" (the two id spaces overlap),
// permalink the ActivityPub id (the canonical URL on the origin
// instance), author creator.name (name@host for remote people), text the
// post title and markdown body (comments: content), links the post url
// unless it is media (pict-rs /pictrs/image/…, image and video files are
// counted instead) and the body's links. Deleted and removed items are
// skipped. published is parsed with and without its "Z" (0.18 emitted
// naive UTC).
package lemmy
