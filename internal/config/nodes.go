package config

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// walk calls fn for every mapping key in the document with its dotted path
// ("sources[1].interval") and the key and value nodes.
func walk(n *yaml.Node, path string, fn func(path string, key, val *yaml.Node)) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			walk(c, path, fn)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			fn(p, k, v)
			walk(v, p, fn)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walk(c, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

// keyAtLine is the path of the innermost key on line (or whose value is on
// line).
func keyAtLine(root *yaml.Node, line int) string {
	best := ""
	walk(root, "", func(path string, k, v *yaml.Node) {
		if k.Line == line || (v.Line == line && v.Kind == yaml.ScalarNode) {
			if len(path) >= len(best) {
				best = path
			}
		}
	})
	return best
}

// lineOfKey is the line of key path (or of its closest ancestor present
// in the file), 0 when absent.
func lineOfKey(root *yaml.Node, key string) int {
	for key != "" {
		line := 0
		walk(root, "", func(path string, k, _ *yaml.Node) {
			if path == key && line == 0 {
				line = k.Line
			}
		})
		if line > 0 {
			return line
		}
		// sources[2] is a sequence item, not a key: look at its first key.
		if i := strings.LastIndexAny(key, ".["); i > 0 {
			key = key[:i]
		} else {
			return 0
		}
	}
	return 0
}
