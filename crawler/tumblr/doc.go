// Package tumblr owns the Tumblr adapter: tag searches and blog posts read
// through the Tumblr API v2 (api.tumblr.com) with an API key, in the Neue
// Post Format (npf=true) or the legacy post bodies, mapped to wire.Post.
//
// Targets:
//
//	tag:NAME     posts tagged NAME (/v2/tagged?tag=NAME)
//	blog:NAME    a blog's posts (/v2/blog/NAME.tumblr.com/posts); NAME may
//	             also be a full host such as example.com or x.tumblr.com
//
// Auth: auth.api_key_env names the OAuth consumer key of a registered app
// (required: the API answers 401 without one).
//
// Options:
//
//	limit       posts per request, 1..20 (default 20)
//	max_pages   pages one poll may read to catch up, 1..10 (default 5);
//	            the first poll reads one page
//	window      ids remembered in the cursor, 100..5000 (default 500)
//
// Cursor: both endpoints are newest first and page back with
// before=<unix timestamp>. The cursor is a window of the post ids
// returned (platform.Window ordered by id); a poll pages back with
// before=<oldest timestamp on the page> until it reaches a known id or
// max_pages.
//
// Mapping: id the id_string, permalink post_url, author the blog name,
// text the reblog trail's text, then the post's own (NPF text blocks, one
// per line, list items and headings included; poll questions and answers;
// legacy title, body, caption, quote and chat text reduced from HTML),
// then the tags as "#tag" words. Links are NPF link formatting and link
// blocks, and legacy anchors and link urls, with Tumblr's
// t.umblr.com/redirect wrapper removed. Image, video and audio blocks (and
// legacy photos, video and audio) are counted, never listed; a link block
// whose url is media counts too.
package tumblr
