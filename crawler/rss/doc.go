// Package rss owns the rss source kind: RSS 0.9–2.0, RSS 1.0 (RDF), Atom
// and JSON Feed, read with gofeed from bodies the polite fetcher brought
// (conditional GET, charset honoured), each item reduced to a wire.Post
// with its HTML turned into text, its non-media links kept and its
// enclosures and media only counted.
package rss
