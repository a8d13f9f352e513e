// Command handlewatch runs every stage of handlewatch: see README.md and
// `handlewatch help`.
package main
