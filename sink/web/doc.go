// Package web owns the moderator dashboard: the server-rendered pages of
// the sink (login, review queue, case pages and their actions, statistics
// with charts, source health, the audit trail), their accounts, sessions,
// CSRF tokens and login throttling.
//
// It is served by the sink on the sink's listener and reads and acts
// through a Backend the sink implements: a decision taken in a page goes
// through the same code path as one taken through the JSON API, so both
// publish the same case event on hw.cases.>.
//
// Crawled text is hostile. Templates are html/template (contextual
// escaping), every response carries a strict Content-Security-Policy (no
// inline script, no inline style, nothing loaded from elsewhere), links in
// crawled text are shown as text with their host marked, and no media is
// ever rendered. Templates and static files are embedded in the binary.
package web
