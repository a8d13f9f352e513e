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
//   - emoji.go: emoji classes and the ways posts name each app.
//   - lex_shared.go: template shapes every language fills with its words.
//   - lex_*.go: one lexicon per language (en es pt de fr it nl ru pl tr),
//     written for this package, with its own templates for every family.
//
// Families are named "pos.<kind>" (label solicitation) and "neg.<kind>"
// (label benign); a model evaluated leave-one-family-out holds one name
// out. Tags follow detector/testdata/CORPUS.md: the contact form (link,
// mention, id), each disguise used (fullwidth, math, homoglyph, zerowidth,
// spaced, punctuated, dot-slash-words, leet, smallcaps, circled,
// regional-indicator, mixed-case, misspelling, abbrev, translit, emoji),
// the word order (split-lines, handle-first, two-apps), "age" when an age
// is written, and for negatives their hard-negative type (news,
// safety-advice, law-enforcement, marketplace, adult-only-ad, …).
//
// Content rule: solicitation examples are short and non-graphic, use only
// generic or coded offer terms, placeholder handles (each name-like handle
// contains placeholder, example, demo, sample or a translation the corpus
// test accepts), phone numbers from ranges reserved for fiction and Matrix
// servers under example.org or example.net.
package gen
