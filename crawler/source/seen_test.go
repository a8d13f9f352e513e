package source

import (
	"slices"
	"testing"
)

func TestMergeSeen(t *testing.T) {
	for _, tc := range []struct {
		current, old []string
		window       int
		want         []string
	}{
		{[]string{"c", "b"}, []string{"b", "a"}, 10, []string{"c", "b", "a"}},
		{[]string{"d", "c"}, []string{"c", "b", "a"}, 3, []string{"d", "c", "b"}},
		{[]string{"a", "a"}, nil, 5, []string{"a"}},
		{nil, []string{"a"}, 0, []string{}},
	} {
		if got := MergeSeen(tc.current, tc.old, tc.window); !slices.Equal(got, tc.want) {
			t.Errorf("MergeSeen(%q, %q, %d) = %q, want %q", tc.current, tc.old, tc.window, got, tc.want)
		}
	}
}

func TestSeenHashIsStable(t *testing.T) {
	// Stored cursors hold these: the value must never change.
	if got := SeenHash("https://forum.example/t/1"); got != SeenHash("https://forum.example/t/1") || len(got) != 12 {
		t.Errorf("SeenHash = %q", got)
	}
	if got, want := SeenHash("42"), "73475cb40a56"; got != want {
		t.Errorf("SeenHash(42) = %q, want %q", got, want)
	}
}
