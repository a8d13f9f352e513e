// Package config owns handlewatch's configuration: one YAML file loaded
// into one Config with defaults, HW_… environment overrides (and their
// _FILE twins for secrets), and validation at start-up. A wrong or unknown
// key, a bad duration or an unknown source kind is refused with an error
// that names the file, the line and the key, before anything starts.
package config
