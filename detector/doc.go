// Package detector owns the verdict on a post: normalisation with an offset
// map (detector/normalize), handle extraction for every app of the wire
// contract (detector/handles), solicitation signals from a versioned rule
// file, proximity-aware scoring with an explanation, and watchlists.
//
//   - rules.go: the rule file format and its strict, line-numbered loader.
//   - lexicon.go: every term in one Aho-Corasick automaton over the
//     normalised text, with word-boundary and except-phrase checks.
//   - engine.go: Engine, pure and safe for concurrent use: Analyze records
//     signals, score combines them once (noisy-or scaled by proximity to a
//     handle, times negative context), verdict applies the gate, the
//     watchlists, the combos and the mode cap; excerpt.go cuts the evidence.
//   - worker.go: the NATS stage (hw.posts.> in, hw.findings.> and
//     hw.stats.> out), with watchlists cached from the state store.
//   - scan.go and eval.go: the researchers' offline tools.
package detector
