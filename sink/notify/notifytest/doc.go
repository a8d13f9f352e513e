// Package notifytest runs real receivers for alert tests: an HTTP webhook
// receiver that verifies signatures and counts deliveries, a Slack
// incoming-webhook stand-in, and an SMTP server (go-smtp) with STARTTLS on
// a self-signed certificate and AUTH PLAIN.
package notifytest
