// Package sink owns what happens to a finding: one case per (app, handle),
// alerts to moderators, takedown requests with a lifecycle, hotline report
// drafts and research statistics, on the durable hw.findings.> stream.
// Everything it derives is rebuilt from the streams after a restart.
package sink
