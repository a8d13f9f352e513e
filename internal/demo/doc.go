// Package demo owns the offline demo: a small site on loopback with
// synthetic posts (a few solicitation examples among benign ones, written
// to the content rule: short, coded terms, placeholder handles) served as
// an RSS feed and an HTML forum for the demo sources to crawl, and a
// webhook receiver that verifies and shows the alerts the sink sends.
package demo
