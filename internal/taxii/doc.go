// Package taxii owns the TAXII 2.1 protocol: a read-only server of one API
// root (discovery, API root, collections, objects with added_after and
// next paging, single objects and their versions, manifest) with a bearer
// token and collection rights per partner, and the client that polls a
// partner's collection the same way.
//
// It knows nothing of handlewatch's cases: the server asks a Source for
// the objects of a collection as the requesting partner may see them, and
// the client hands back the raw objects of each page.
//
// The server keeps only the latest version of each object, and an
// object's date_added is the time of that version: a poller that keeps
// the X-TAXII-Date-Added-Last of its last page as its added_after cursor
// sees every new version exactly once, and re-reading an overlap is
// harmless because imports are idempotent on (id, modified).
package taxii
