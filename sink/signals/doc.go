// Package signals owns the exchange of handles with partner platforms and
// hotlines in STIX 2.1 over TAXII 2.1.
//
// Export: every case a moderator confirmed (and that we saw ourselves)
// becomes an indicator of the messaging account, a sighting with its
// counts and source kinds, under our identity and a TLP marking (AMBER by
// default). A case confirmed and later dismissed or cleared is served
// again as a revoked version. Never shared: media (there is none),
// reporters' or moderators' identities, post authors, permalinks, and post
// text unless the operator turns include_text on for that one partner. The
// sink serves these objects as a TAXII API root (internal/taxii) with one
// bearer token and set of readable collections per partner; `handlewatch
// signals export` writes the same objects as a bundle.
//
// Import: a partner's bundle (a file, a URL or a polled TAXII collection)
// is read object by object; each indicator of a messaging account becomes
// an import case event (wire.EventImport) on hw.cases.>, the log of
// record, so every sink process and every rebuild sees it. A bad object is
// reported by id and the rest is kept. An imported handle is put on
// wire.WatchlistImported while it has a live indicator (not revoked, not
// expired) and no moderator decided on its case: the detector then
// records posts with it in shadow mode only. It never alerts or files a
// takedown by itself; a moderator accepts it by confirming the case.
//
// Feeds: a scheduled poller reads each configured partner collection with
// an added_after cursor kept in the state store, retrying with backoff.
package signals
