package source

import (
	"strings"
	"testing"
)

func TestParseBaseURL(t *testing.T) {
	for _, tc := range []struct {
		base, def, want, err string
	}{
		{base: "https://lemmy.world/", want: "https://lemmy.world"},
		{base: "http://127.0.0.1:8080/mirror//", want: "http://127.0.0.1:8080/mirror"},
		{base: "", def: "https://t.me", want: "https://t.me"},
		{base: "", err: `base_url: "": want a mirror`},
		{base: "/", def: "https://t.me", err: `base_url: "/": want a mirror`},
		{base: "ftp://t.me", def: "https://t.me", err: `base_url: "ftp://t.me": want a mirror`},
		{base: "https://", err: `base_url: "https://": want a mirror`},
		{base: "https://a b.example/%zz", err: "want a mirror"},
	} {
		t.Run(tc.base, func(t *testing.T) {
			u, err := Config{BaseURL: tc.base}.ParseBaseURL(tc.def, "a mirror")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || u.String() != tc.want {
				t.Fatalf("= %v, %v; want %s", u, err, tc.want)
			}
		})
	}
}
