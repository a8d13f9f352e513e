// Package wire owns the messages that handlewatch's stages exchange over
// NATS: Post (crawler → detector), Finding (detector → sink), CaseEvent
// (moderator decisions and takedown state) and ScanTally (the detector's
// count of posts scanned, the denominator researchers need).
//
// Every message carries a Schema version. The types are defined once here
// and shared by every stage; a stage never invents its own wire shape.
package wire
