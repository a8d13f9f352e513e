package taxii

import (
	"encoding/json"
	"time"
)

// MediaType is the TAXII 2.1 media type of every request and response.
const MediaType = "application/taxii+json;version=2.1"

// StixMediaType is the media type of the objects served.
const StixMediaType = "application/stix+json;version=2.1"

// Header names of the paging timestamps.
const (
	HeaderDateAddedFirst = "X-TAXII-Date-Added-First"
	HeaderDateAddedLast  = "X-TAXII-Date-Added-Last"
)

// TimeLayout is how timestamps are written (STIX timestamps with
// microseconds, so that date_added cursors do not lose order).
const TimeLayout = "2006-01-02T15:04:05.000000Z"

func ts(t time.Time) string { return t.UTC().Format(TimeLayout) }

// Discovery is the server's discovery resource.
type Discovery struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Contact     string   `json:"contact,omitempty"`
	Default     string   `json:"default,omitempty"`
	APIRoots    []string `json:"api_roots,omitempty"`
}

// APIRoot describes the API root.
type APIRoot struct {
	Title            string   `json:"title"`
	Description      string   `json:"description,omitempty"`
	Versions         []string `json:"versions"`
	MaxContentLength int64    `json:"max_content_length"`
}

// Collection is one collection as the requesting partner sees it.
type Collection struct {
	ID          string   `json:"id"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Alias       string   `json:"alias,omitempty"`
	CanRead     bool     `json:"can_read"`
	CanWrite    bool     `json:"can_write"`
	MediaTypes  []string `json:"media_types,omitempty"`
}

// Collections is the list resource.
type Collections struct {
	Collections []Collection `json:"collections,omitempty"`
}

// Envelope is a page of objects.
type Envelope struct {
	More    bool              `json:"more,omitempty"`
	Next    string            `json:"next,omitempty"`
	Objects []json.RawMessage `json:"objects,omitempty"`
}

// ManifestRecord describes one object version without its content.
type ManifestRecord struct {
	ID        string `json:"id"`
	DateAdded string `json:"date_added"`
	Version   string `json:"version"`
	MediaType string `json:"media_type,omitempty"`
}

// Manifest is a page of manifest records.
type Manifest struct {
	More    bool             `json:"more,omitempty"`
	Objects []ManifestRecord `json:"objects,omitempty"`
}

// Versions lists the versions of one object.
type Versions struct {
	More     bool     `json:"more,omitempty"`
	Versions []string `json:"versions,omitempty"`
}

// Error is the TAXII error message.
type Error struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	HTTPStatus  string `json:"http_status,omitempty"`
}
