// Package html owns the html source kind: a generic forum or board read
// by CSS selectors (source.HTMLSelectors) with goquery. Each page's posts
// become wire.Posts with their HTML reduced to text, permalinks made
// absolute and media only counted; older pages are followed by the next
// link, a bounded number of them, never off the approved hosts and never
// past the posts seen before.
package html
