// Package notify owns alert delivery to moderators: the notifiers (generic
// webhook signed with HMAC-SHA256 and carrying an idempotency key, Slack
// incoming webhook, SMTP e-mail), retries with exponential backoff and
// jitter that honour Retry-After, a token-bucket rate limit per
// destination whose overflow is folded into a digest, and digest-only
// destinations. It knows nothing of cases or streams: the sink decides what
// to alert and records each outcome.
//
// Crawled text (handles, excerpts, permalinks) is data everywhere here: it
// is JSON-encoded for webhooks, escaped for Slack mrkdwn, kept out of e-mail
// headers, and no alert ever carries or links media.
package notify
