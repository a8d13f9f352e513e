// Package handles owns the second layer of the detector: finding the
// messaging-app contacts in a normalised text (links, ID shapes, and
// handles named after an app word) for every app of the wire contract, each
// checked against its app's handle syntax and reduced to its canonical form.
//
// Finding works on normalize.Text.Norm, so obfuscated app words ("w i c k
// r", "ｗｉｃｋｒ", "k1k", "t . me") are found like plain ones; the handle
// itself is read from the original text through the offset map with only
// light folding (compatibility forms, look-alikes, case where the app
// ignores it), so "n4me_01" stays "n4me_01".
//
// A text is scanned once, eight bytes at a time; only words whose first
// three bytes may start an app word or a link label, and words long enough
// to be IDs, are looked at further. A handle after an app word needs a
// separator ("wickr: x", "tg @x", "kik me x", "session id 05…"), a contact
// phrase in one of six languages ("add me on kik x", "me chama no zap
// +55…"), or, for app names that are not ordinary words, a handle-shaped
// word; ambiguous names ("signal", "line", "snap", "tg") never take a plain
// word without one of the first two. Stop words of the six languages and
// prose words ("app", "encrypted", "server") are never handles.
package handles
