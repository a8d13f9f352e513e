// Package fetchtest helps tests of the crawler and its adapters reach
// httptest servers under real host names (https://oauth.reddit.com/…),
// through the same Fetcher the crawl uses.
package fetchtest
