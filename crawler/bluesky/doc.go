// Package bluesky owns the Bluesky adapter: the Jetstream firehose of new
// posts (a websocket, streamed), watched accounts' author feeds and post
// searches (XRPC, polled), all mapped to wire.Post.
//
// New returns an Adapter that is a source.PerTarget: the crawler asks it
// per target for a Streamer (jetstream targets) or a Poller (author and
// search targets). NewStreamer and NewPoller build one side alone.
//
// Targets:
//
//	jetstream                 every new post on the network
//	jetstream:DID,DID,…       new posts of these accounts only (wantedDids)
//	author:HANDLE|DID         an account's feed (app.bsky.feed.getAuthorFeed)
//	search:QUERY              posts matching QUERY, newest first
//	                          (app.bsky.feed.searchPosts, needs a session)
//
// Auth (search only): auth.identifier is the account handle and
// auth.password_env names an APP PASSWORD (never the account password).
// The adapter opens a session with com.atproto.server.createSession on
// the PDS, sends the accessJwt as a bearer token, and refreshes it with
// refreshSession when it expires. Without auth, searchPosts is tried on
// the AppView, which has answered 403 since 2025: that becomes
// source.ErrBlocked saying what to configure.
//
// Options:
//
//	jetstream_url    default wss://jetstream2.us-east.bsky.network/subscribe
//	appview_url      default https://public.api.bsky.app (getAuthorFeed, unauthenticated search)
//	pds_url          default https://bsky.social (sessions, authenticated search)
//	                 With base_url set, all three default to base_url
//	                 (jetstream at ws(s)://host/subscribe).
//	rewind           how far before the saved cursor a reconnect resumes,
//	                 0s..5m (default 5s): events arrive slightly out of
//	                 order across shards, and repeats are dropped by at-uri
//	idle_timeout     reconnect when the stream is silent this long, 5s..10m
//	                 (default 90s)
//	include_reposts  author targets: publish the posts an account reposts
//	                 (default true: amplifying a post is what a watched
//	                 account does; the post is published under its own
//	                 author and id, once, whoever reposts it)
//	include_replies  author targets: filter posts_with_replies (default
//	                 true) or posts_no_replies
//	limit            author and search page size, 1..100 (default 50)
//	max_pages        pages one poll may read to catch up, 1..10 (default 5)
//	window           uris remembered in a poll cursor, 100..5000 (default 500)
//
// Cursors: Jetstream's is the largest time_us seen (microseconds); a
// reconnect or restart resumes at cursor minus rewind and drops the
// at-uris it already emitted. Poll cursors are windows of the at-uris
// returned (platform.Window ordered by indexedAt): getAuthorFeed and
// searchPosts have no "since", and the lexicon warns a search cursor may
// not reach the whole result set.
//
// Mapping: id the at-uri, permalink https://bsky.app/profile/DID/post/RKEY,
// author the handle when the API gives one, else the DID. Text is
// record.text with each link facet's shortened label ("www.youtube.com/
// watch?v=V5lD...") replaced by its full uri, facet offsets being UTF-8
// byte offsets; links are the link facets' uris and embed.external.uri.
// Image and video embeds (also inside recordWithMedia) are counted, never
// linked; a link facet or external embed pointing at media is counted and
// dropped from the text.
package bluesky
