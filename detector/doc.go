// Package detector owns the verdict on a post: normalisation with an offset
// map, handle extraction for every app of the wire contract, solicitation
// signals from a versioned rule file, proximity-aware scoring with an
// explanation, and watchlists. The engine is pure (no I/O); Worker wraps it
// as a NATS stage; Scan and Eval are the researchers' offline tools.
package detector
