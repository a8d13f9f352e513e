package source

import (
	"net/url"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, want, secret string }{
		{"https://api.tumblr.com/v2/tagged?tag=x&api_key=SECRET1", "api_key=xxxxx", "SECRET1"},
		{"https://u:SECRET2@example.org/feed", "u:xxxxx@", "SECRET2"},
		{"https://example.org/x?Access_Token=SECRET3&page=2", "page=2", "SECRET3"},
		{"https://example.org/feed.xml?page=2", "page=2", ""},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			u, _ := url.Parse(tc.in)
			got := RedactURL(u)
			if !strings.Contains(got, tc.want) || (tc.secret != "" && strings.Contains(got, tc.secret)) {
				t.Fatalf("RedactURL(%s) = %s", tc.in, got)
			}
		})
	}
}
