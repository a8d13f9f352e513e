// Package reddit owns the Reddit adapter: subreddit, search and user
// listings read through the OAuth API (oauth.reddit.com, app-only
// client_credentials token), or through the subreddit Atom feeds when no
// OAuth app is configured and options.fallback is "rss". It maps t3 (link
// and self posts) and t1 (comments) things to wire.Post.
//
// Since mid-2026 Reddit answers unauthenticated .json with a 403 HTML
// block page ("whoa there, pardner"); the adapter reports that as
// source.ErrBlocked with what to configure, never as an empty listing.
//
// Targets:
//
//	r/SUB                 newest posts of a subreddit (/r/SUB/new)
//	r/SUB/comments        newest comments of a subreddit (/r/SUB/comments)
//	r/SUB/search:QUERY    subreddit search, newest first (restrict_sr=1)
//	search:QUERY          site-wide search, newest first
//	u/USER                a user's newest posts and comments (/user/USER/overview)
//
// SUB may be a multireddit ("a+b"). In RSS mode u/USER and search targets
// use the matching .rss feeds as well.
//
// Auth (env var names, never secrets): auth.client_id_env and
// auth.client_secret_env, both or neither.
//
// Options:
//
//	fallback   "" (default) or "rss": without OAuth, read the Atom feeds
//	           instead of the (blocked) unauthenticated JSON
//	limit      items per page, 1..100 (default 100)
//	max_pages  pages one poll may read to catch up after a pause, 1..10
//	           (default 5); the first poll of a target reads one page
//	window     names remembered in the cursor, 100..5000 (default 500)
//
// Cursor: Reddit's before= stops working when the anchor post is deleted,
// so, as sources.md recommends, each poll reads the newest page and keeps
// a window of the names it returned (platform.Window, ordered by
// created_utc); paging with after= continues until a page reaches a
// known item or max_pages. Rate limits: X-Ratelimit-Remaining (a float
// string such as "997.0") below 1 pauses the adapter until
// X-Ratelimit-Reset seconds have passed; the next poll returns a
// source.RetryError without spending a request.
package reddit
