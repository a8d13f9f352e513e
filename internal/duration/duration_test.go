package duration

import (
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{"24h", 24 * time.Hour, false},
		{"30d", 30 * 24 * time.Hour, false},
		{"365d", 365 * 24 * time.Hour, false},
		{"1d12h", 36 * time.Hour, false},
		{"", 0, false},
		{"d", 0, true},
		{"-3d", 0, true},
		{"3x", 0, true},
		{"2d3x", 0, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Parse(tc.in)
			if (err != nil) != tc.bad || got != tc.want {
				t.Errorf("Parse(%q) = %v, %v; want %v, bad=%v", tc.in, got, err, tc.want, tc.bad)
			}
		})
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	var v struct {
		D Duration `yaml:"d"`
	}
	if err := yaml.Unmarshal([]byte("d: 2d6h"), &v); err != nil || v.D.D() != 54*time.Hour {
		t.Fatalf("unmarshal: %v, %v", v.D, err)
	}
	out, err := yaml.Marshal(v)
	if err != nil || string(out) != "d: 54h0m0s\n" {
		t.Fatalf("marshal: %q, %v", out, err)
	}
	if err := yaml.Unmarshal([]byte("d: soon"), &v); err == nil {
		t.Fatal("unmarshal of a bad duration: no error")
	}
}
