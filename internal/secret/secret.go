package secret

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrNotSet means neither NAME nor NAME_FILE is set.
var ErrNotSet = errors.New("not set")

// Lookup returns the secret named by the environment variable name.
func Lookup(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("secret: empty variable name")
	}
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v, nil
	}
	if path, ok := os.LookupEnv(name + "_FILE"); ok && path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("secret %s_FILE: %w", name, err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	return "", fmt.Errorf("secret %s: %w (set %s or %s_FILE)", name, ErrNotSet, name, name)
}
