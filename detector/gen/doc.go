// Package gen owns the synthetic training data of the detector's scorer: a
// compositional generator that crosses per-language templates and slot
// lexicons with ages, emoji, the apps of the wire contract, every handle
// shape of each app, obfuscations and word orders, for solicitation posts
// and for hard negatives that share their words (shops, news, advice,
// sport, gaming, crypto).
//
// The core is pure: Generate(seed, n) is a function of its arguments, does
// no I/O and returns the same examples for the same seed on every machine,
// so a trained model can be rebuilt and a family held out reproducibly.
//
//   - gen.go: Example, Generate, Families and the seeded random source.
//   - template.go: slot expansion, ages, emoji, contacts and word orders.
//   - handles.go: placeholder handles of every app and shape, with their
//     canonical form (detector/testdata/CORPUS.md "Canonical handles").
//   - obfuscate.go: the reversible disguises posts use (homoglyphs,
//     fullwidth, mathematical letters, zero-width, spacing, leet …).
//   - families.go: the template families and their labels.
//   - lex_*.go: one lexicon per language, written for this package.
//
// Content rule: solicitation examples are short and non-graphic, use only
// generic or coded offer terms, placeholder handles (each name-like handle
// contains placeholder, example, demo, sample or a translation the corpus
// test accepts), phone numbers from ranges reserved for fiction and Matrix
// servers under example.org or example.net.
package gen
