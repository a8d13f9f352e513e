package source

import (
	"strings"
	"testing"
)

func TestOptionsUnknown(t *testing.T) {
	o := NewOptions(map[string]string{"limit": "5", "limt": "6"})
	if n, err := o.Int("limit", 1, 1, 10); err != nil || n != 5 {
		t.Fatalf("limit = %d, %v", n, err)
	}
	if err := o.Unknown(); err == nil || !strings.Contains(err.Error(), "options.limt") {
		t.Errorf("Unknown() = %v, want the typo named", err)
	}
	if _, err := NewOptions(map[string]string{"limit": "50"}).Int("limit", 1, 1, 10); err == nil {
		t.Error("out of range accepted")
	}
}
