package secret

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestLookup(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "s")
	if err := os.WriteFile(file, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HW_T_DIRECT", "direct")
	t.Setenv("HW_T_INFILE_FILE", file)
	t.Setenv("HW_T_BADFILE_FILE", filepath.Join(dir, "missing"))
	cases := []struct {
		name, want string
		err        bool
	}{
		{"HW_T_DIRECT", "direct", false},
		{"HW_T_INFILE", "from-file", false},
		{"HW_T_BADFILE", "", true},
		{"HW_T_UNSET", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Lookup(tc.name)
			if (err != nil) != tc.err || got != tc.want {
				t.Fatalf("Lookup = %q, %v", got, err)
			}
		})
	}
	if _, err := Lookup("HW_T_UNSET"); !errors.Is(err, ErrNotSet) {
		t.Fatalf("unset: %v, want ErrNotSet", err)
	}
}
