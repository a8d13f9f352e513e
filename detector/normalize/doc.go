// Package normalize owns the first layer of the detector: it turns a post's
// text into the form every matcher reads, and maps any span of that form back
// to the original text so that evidence can be shown to moderators as it was
// written.
//
// Norm is built in two passes. The first reads the text code point by code
// point through one generated table (tables.go, see internal/foldgen): NFKC
// compatibility forms, full case folding, removal of default-ignorable code
// points and marks (zero-width characters, soft hyphens, variation
// selectors, tags, diacritics), and the ASCII reading of look-alike letters
// (Cyrillic, Greek, small capitals, IPA, negative circled and squared
// letters, regional indicators, keycaps). NFKC followed by the removal of
// marks is the same as compatibility decomposition per code point, so the
// table applies x/text's normalisation one code point at a time and every
// output byte knows the input span it came from. Look-alike letters are read
// as ASCII only when their whole word could pass for ASCII: a real Russian
// word keeps its script. ASCII takes a fast path, eight bytes at a time.
//
// The second pass works on words: it undoes leetspeak inside words that
// have letters ("w1ckr", "sn@p", not "18yo" or a phone number), collapses
// letter-spaced words ("w i c k r") and joins obfuscated link punctuation
// ("t . me / x", "t[.]me", "t dot me slash x").
//
// Matchers must fold their own lexicon the same way: pass each entry
// through Normalize and match its Norm.
package normalize
