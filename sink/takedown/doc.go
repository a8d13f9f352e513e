// Package takedown owns takedown requests: per-target channels (the
// source platform's report API, abuse e-mail, the messaging app's abuse
// contact), review and auto modes, two-layer dedupe, daily quotas, shadow
// mode, and each request's lifecycle from pending to removed or failed,
// with re-notices and removal verified by re-checking the permalink.
package takedown
