// Package stix owns the STIX 2.1 objects handlewatch exchanges with
// partners, written and read with the standard library (no maintained Go
// STIX module is available): identity, indicator, sighting and
// marking-definition, the bundle that carries them, deterministic ids, the
// one pattern shape we share ([user-account:account_login = '…' AND
// user-account:account_type = '…']) and a reader that checks each object
// of a partner's bundle on its own, so one bad object is reported by id
// and the rest is kept.
//
// What goes into the objects (and what never does) is decided by the
// caller, sink/signals; this package only knows the format.
package stix
