package takedown

import (
	"strings"
	"testing"
)

// FuzzPlatformIDs feeds the permalink and id parsing of every channel
// (crawled input) arbitrary values: no panic, and what comes out has the
// platform's shape.
func FuzzPlatformIDs(f *testing.F) {
	for _, s := range [][3]string{
		{"110000000000000001", "https://mastodon.example/@example_seller/110000000000000001", "example_seller"},
		{"kx9z8y7", "https://www.reddit.com/r/example/comments/1abc2d/t/kx9z8y7/", ""},
		{"3kq2examplerk", "https://bsky.app/profile/did:plc:abc/post/3kq2examplerk", ""},
		{"at://did:plc:abc/app.bsky.feed.post/3kq2", "", ""},
		{"", "https://t.me/s/habr_com/56630", ""},
		{"x", "::%zz", "@a@b@c"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	b := &bluesky{}
	f.Fuzz(func(t *testing.T, postID, permalink, author string) {
		p := PostRef{PostID: postID, Permalink: permalink, Author: author}
		if id, acct, err := mastodonIDs(p, "mastodon.example"); err == nil && (!allDigits(id) || acct == "") {
			t.Fatalf("mastodon ids %q %q", id, acct)
		}
		if thing, err := redditFullname(p); err == nil && !strings.HasPrefix(thing, "t1_") && !strings.HasPrefix(thing, "t3_") {
			t.Fatalf("reddit fullname %q", thing)
		}
		if uri, err := b.postURI(ctx, p, true); err == nil && !strings.HasPrefix(uri, "at://") {
			t.Fatalf("bluesky uri %q", uri)
		}
	})
}
