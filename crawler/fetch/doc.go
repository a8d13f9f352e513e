// Package fetch owns the crawler's polite HTTP: the Fetcher that adapters
// use (built on colly), the HTTP client that streaming adapters use, and
// the per-host state they share. Every request goes only to a host the
// source approves (redirects included, each hop checked), never to a
// private, loopback or link-local address (checked on the address actually
// dialled), honours robots.txt (for crawling: GETs without credentials;
// an authenticated API call or a token POST is governed by the platform's
// API terms instead) and one rate limit per host, sends our
// User-Agent, backs off on 429 and 5xx as Retry-After and the platforms'
// rate-limit headers say, and never reads media: a URL filter before the
// request, a content-type gate before the body, and a body cap that
// rejects rather than truncates.
package fetch
