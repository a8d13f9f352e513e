// Package secret reads secrets from the environment: the variable itself,
// or the file named by the variable with a _FILE suffix (for container and
// systemd credentials). Secrets never live in the config file.
package secret
