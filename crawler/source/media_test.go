package source

import (
	"net/url"
	"testing"
)

func TestIsMediaURL(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://example.org/a.jpg":                  true,
		"https://example.org/A.JPEG?x=1":             true,
		"https://example.org/clip.mp4#t=3":           true,
		"https://example.org/pic.jpg;jsessionid=abc": true,
		"https://example.org/x;v=1.gif":              true,
		"https://example.org/photo.png/":             true,
		"https://i.redd.it/abc":                      true,
		"https://v.redd.it/abc/DASH_720.mp4":         true,
		"https://www.reddit.com/gallery/1skh6dk":     true,
		"https://foo.media.tumblr.com/x":             true,
		"https://pbs.twimg.com/media/x?format=jpg":   true,
		"https://example.org/img?format=webp":        true,
		"data:image/png;base64,AAAA":                 true,
		"https://example.org/stream.m3u8":            true,
		"https://example.org/post/123":               false,
		"https://example.org/archive.zip":            false, // not media: may stay a link
		"https://example.org/feed.xml":               false,
		"https://www.reddit.com/r/x/comments/1/t/":   false,
		"https://t.me/placeholder_01":                false,
		"not a url at all.png":                       true,
		"not a url at all":                           false,
		// Written in posts, as the platform adapters meet them.
		"https://i.redd.it/rrinwcmrxzug1.jpeg":                                true,
		"https://preview.redd.it/f1xjmxgj3d5h1.jpeg?width=1260&format=pjpg":   true,
		"http://69.media.tumblr.com/b06f/tumblr_nshp8oVOnV1rg0s9xo1_1280.jpg": true,
		"https://cdn4.telegram-cdn.org/file/abc":                              true,
		"https://example.org/clip.MP4":                                        true,
		"https://example.org/a.png#frag":                                      true,
		"https://imgur.com/a/xyz":                                             true,
		"https://www.imgur.com/a/xyz":                                         true,
		"i.redd.it/abc":                                                       true, // scheme-less, as typed
		"i.redd.it/abc.jpg":                                                   true,
		"https://lemmy.world/pictrs/image/9a8b7c6d-1234":                      true,
		"https://www.reddit.com/media?url=https%3A%2F%2Fi.redd.it%2Fx.jpeg":   true,
		"https://images.example/photo?fm=webp&w=100":                          true,
		"https://cdn.example/blob?mime=image/png":                             true,
		"blob:https://example.org/5e3a":                                       true,
		"https://i.ytimg.com/vi/V5lDo-jw8mA/hqdefault":                        true,
		"https://www.youtube.com/watch?v=V5lDo-jw8mA":                         false,
		"www.youtube.com/watch?v=V5lDo-jw8mA":                                 false,
		"https://www.reddit.com/mediakit/":                                    false,
		"https://example.org/jpg/article":                                     false,
		"https://github.com/example/app/blob/main/index.ts":                   false, // TypeScript, not a video segment
		"https://www.reddit.com/r/anime/comments/1sk894v/x/":                  false,
		"https://matrix.to/#/@placeholder_01:matrix.org":                      false,
		"https://example.org/api?format=json":                                 false,
	} {
		if got := IsMediaURL(raw); got != want {
			t.Errorf("IsMediaURL(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestIsFetchableURL(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://example.org/feed.xml":    true,
		"https://example.org/api/v1/x":    true,
		"https://example.org/archive.zip": false,
		"https://example.org/dump.xml.gz": false,
		"https://example.org/a.png":       false,
		"https://example.org/report.pdf":  false,
	} {
		u, _ := url.Parse(raw)
		if got := IsFetchableURL(u); got != want {
			t.Errorf("IsFetchableURL(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestApprovedHosts(t *testing.T) {
	c := Config{BaseURL: "https://oauth.reddit.com/api", Hosts: []string{"www.reddit.com", "127.0.0.1:8080", "[::1]"}}
	for raw, want := range map[string]bool{
		"https://oauth.reddit.com/r/x":      true,
		"https://OAUTH.reddit.com:443/r/x":  true,
		"http://oauth.reddit.com/r/x":       true,
		"https://oauth.reddit.com:8443/r/x": false,
		"https://www.reddit.com/api":        true,
		"https://reddit.com/":               false,
		"https://evil.oauth.reddit.com/":    false,
		"http://127.0.0.1:8080/x":           true,
		"http://127.0.0.1:8081/x":           false,
		"http://[::1]/x":                    true,
		"wss://www.reddit.com/ws":           true,
		"ftp://www.reddit.com/x":            false,
		"https://user:pw@www.reddit.com/x":  false,
		"https://www.reddit.com.evil.com/x": false,
		"https://www.reddit.com@evil.com/x": false,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Approves(u); got != want {
			t.Errorf("Approves(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestResolveURL(t *testing.T) {
	base, _ := url.Parse("https://forum.example/t/1")
	for _, tc := range []struct {
		base *url.URL
		href string
		want string
	}{
		{base, "/u/x", "https://forum.example/u/x"},
		{base, "  ../p?q=1#frag ", "https://forum.example/p?q=1#frag"},
		{base, "//cdn.example/a", "https://cdn.example/a"},
		{base, "https://other.example/a/../b", "https://other.example/a/../b"}, // absolute: kept as written
		{base, "https://matrix.to/#/@placeholder_01:matrix.org", "https://matrix.to/#/@placeholder_01:matrix.org"},
		{nil, "HTTP://Example.org/A", "http://Example.org/A"},
		{nil, "/relative", ""},
		{base, "https:", ""},
		{base, "http:///nohost", ""},
		{base, "javascript:alert(1)", ""},
		{base, "mailto:a@b.example", ""},
		{base, "ftp://files.example/x", ""},
		{base, "   ", ""},
		{base, "%zz", ""},
	} {
		if got := AbsoluteURL(tc.base, tc.href); got != tc.want {
			t.Errorf("AbsoluteURL(%v, %q) = %q, want %q", tc.base, tc.href, got, tc.want)
		}
	}
}
