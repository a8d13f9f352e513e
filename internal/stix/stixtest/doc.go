// Package stixtest validates STIX objects against the OASIS STIX 2.1 JSON
// schemas vendored in internal/stix/testdata/schemas, offline: the files
// are registered under their own $id, and any other reference fails
// rather than reach the network.
package stixtest
