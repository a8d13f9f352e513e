// Package normtest generates realistic synthetic social-media posts for
// benchmarks of the detector's layers: mostly benign everyday text with
// hashtags, mentions, links and emoji, about half of the posts with some
// non-ASCII, and a small share with a messaging-app contact (placeholder
// handles only), some of them obfuscated.
package normtest
