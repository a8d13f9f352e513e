// Package links owns cross-source linking: for one case, the other cases
// that share something with it across apps and sources — the same handle
// value on another app, the same author on the same source, the same
// profile or invite link in the posts, or the same post — and a small
// server-rendered SVG graph of them that the case page embeds.
//
// Linking reads the case store (a bounded scan, newest cases first), so
// every sink process answers the same whatever findings it consumed
// itself.
package links
