package bus

import (
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Streams, by their logical names; the server-side name is the namespace
// in upper case, '_' and the logical name (HW_POSTS by default).
const (
	StreamPosts    = "POSTS"
	StreamFindings = "FINDINGS"
	StreamCases    = "CASES"
	StreamStats    = "STATS"
)

// streamName is the server-side name of a logical stream.
func (c Config) streamName(logical string) string {
	return strings.ToUpper(strings.ReplaceAll(c.Namespace, "-", "_")) + "_" + logical
}

// subject maps a wire-contract subject ("hw.…") into the namespace.
func (c Config) subject(s string) string {
	if c.Namespace == "hw" || s == "" {
		return s
	}
	if s == "hw" || strings.HasPrefix(s, "hw.") {
		return c.Namespace + s[2:]
	}
	return s
}

// wireSubject maps a namespaced subject back to the wire contract's form.
func (c Config) wireSubject(s string) string {
	if c.Namespace == "hw" {
		return s
	}
	if strings.HasPrefix(s, c.Namespace+".") {
		return "hw" + s[len(c.Namespace):]
	}
	return s
}

// streamConfigs is the stream layout of DESIGN.md: posts are a work queue
// with a short retention; findings, stats and case events are the log of
// record.
func streamConfigs(c Config) []jetstream.StreamConfig {
	dup := func(maxAge time.Duration) time.Duration {
		if maxAge > 0 && c.DuplicateWindow > maxAge {
			return maxAge
		}
		return c.DuplicateWindow
	}
	return []jetstream.StreamConfig{
		{
			Name: c.streamName(StreamPosts), Subjects: []string{c.subject(wire.SubjectPosts + ".>")},
			Retention: jetstream.WorkQueuePolicy, MaxAge: c.PostsRetention,
			Storage: jetstream.FileStorage, Replicas: c.Replicas, Duplicates: dup(c.PostsRetention),
			Description: "crawled posts awaiting the detector (work queue)",
		},
		{
			Name: c.streamName(StreamFindings), Subjects: []string{c.subject(wire.SubjectFindings + ".>")},
			Retention: jetstream.LimitsPolicy, MaxAge: c.FindingsRetention,
			Storage: jetstream.FileStorage, Replicas: c.Replicas, Duplicates: dup(c.FindingsRetention),
			Description: "detector findings: the log of record",
		},
		{
			Name: c.streamName(StreamCases), Subjects: []string{c.subject(wire.SubjectCases + ".>")},
			Retention: jetstream.LimitsPolicy,
			Storage:   jetstream.FileStorage, Replicas: c.Replicas, Duplicates: c.DuplicateWindow,
			Description: "moderator decisions, alerts and takedown state: kept forever",
		},
		{
			Name: c.streamName(StreamStats), Subjects: []string{c.subject(wire.SubjectStats + ".>")},
			Retention: jetstream.LimitsPolicy, MaxAge: c.FindingsRetention,
			Storage: jetstream.FileStorage, Replicas: c.Replicas, Duplicates: dup(c.FindingsRetention),
			Description: "posts-scanned tallies: the research denominators",
		},
		deadStreamConfig(c),
	}
}
