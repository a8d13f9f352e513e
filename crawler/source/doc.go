// Package source owns the contract between the crawler's machinery (the
// polite fetcher, the scheduler, cursors and seen keys) and the adapters
// that understand one platform each (crawler/reddit, crawler/mastodon, …).
// An adapter never does HTTP itself: it asks the Fetcher, which enforces
// the approved hosts, robots.txt, rate limits, the content-type gate and
// the body cap.
//
// It also holds the rules every adapter applies to what it reads, once, so
// that the detector sees posts of every kind cut the same way: HTML and
// markdown reduced to text and links (ReduceHTML, MarkdownText), pages
// nested too deep for the HTML parser read flattened (ParseHTML), media
// recognised (IsMediaURL), URLs resolved (ResolveURL), the post's last
// checks (FinishPost) and strict options (Options).
package source
