package source

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Options reads a source's kind-specific options and rejects keys the
// adapter does not know, so a typo is a config error, not a silent
// default.
type Options struct {
	m    map[string]string
	used map[string]bool
}

// NewOptions wraps a source's options map.
func NewOptions(m map[string]string) *Options {
	return &Options{m: m, used: map[string]bool{}}
}

// String returns the option key, or def.
func (o *Options) String(key, def string) string {
	o.used[key] = true
	if v, ok := o.m[key]; ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

// OneOf returns the option key, which must be one of allowed ("" = def).
func (o *Options) OneOf(key, def string, allowed ...string) (string, error) {
	v := o.String(key, def)
	if !slices.Contains(allowed, v) {
		return "", fmt.Errorf("options.%s: %q is not one of %s", key, v, strings.Join(allowed, ", "))
	}
	return v, nil
}

// Int returns the option key as an integer in [lo, hi], or def.
func (o *Options) Int(key string, def, lo, hi int) (int, error) {
	v := o.String(key, "")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("options.%s: %q must be a whole number from %d to %d", key, v, lo, hi)
	}
	return n, nil
}

// Bool returns the option key as a boolean, or def.
func (o *Options) Bool(key string, def bool) (bool, error) {
	v := o.String(key, "")
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("options.%s: %q must be true or false", key, v)
	}
	return b, nil
}

// Duration returns the option key as a duration in [lo, hi], or def.
func (o *Options) Duration(key string, def, lo, hi time.Duration) (time.Duration, error) {
	v := o.String(key, "")
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d > hi {
		return 0, fmt.Errorf("options.%s: %q must be a duration from %s to %s", key, v, lo, hi)
	}
	return d, nil
}

// Unknown reports the first option key nothing asked for.
func (o *Options) Unknown() error {
	var keys []string
	for k := range o.m {
		if !o.used[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	sort.Strings(keys)
	return fmt.Errorf("options.%s: unknown option", keys[0])
}
