package platform

import (
	"net/url"
	"path"
	"strings"

	"github.com/handlewatch/handlewatch/crawler/source"
)

// mediaExts are path extensions of image, video and audio files.
var mediaExts = map[string]bool{
	"jpg": true, "jpeg": true, "jpe": true, "jfif": true, "pjpeg": true, "pjpg": true, "png": true, "apng": true,
	"gif": true, "gifv": true, "webp": true, "bmp": true, "tif": true, "tiff": true, "svg": true, "ico": true,
	"heic": true, "heif": true, "avif": true, "jxl": true, "raw": true, "psd": true,
	"mp4": true, "m4v": true, "mov": true, "qt": true, "webm": true, "mkv": true, "avi": true, "wmv": true,
	"flv": true, "f4v": true, "mpg": true, "mpeg": true, "m2ts": true, "mts": true, "ts": true, "3gp": true,
	"3g2": true, "ogv": true, "m3u8": true, "mpd": true,
	"mp3": true, "m4a": true, "aac": true, "ogg": true, "oga": true, "opus": true, "wav": true, "flac": true,
	"weba": true, "wma": true, "amr": true, "mid": true, "midi": true,
}

// mediaHosts serve uploaded images, video or audio (or galleries of them)
// rather than pages with text. A link to them is media: it is counted,
// never listed. Subdomains match too. Mainstream platforms whose pages
// carry text and their own moderation (youtube.com, vimeo.com) are not
// listed: their watch pages stay links.
var mediaHosts = []string{
	// Reddit's own media and preview hosts.
	"i.redd.it", "v.redd.it", "preview.redd.it", "external-preview.redd.it", "g.redd.it",
	// Platform CDNs.
	"media.tumblr.com", "va.media.tumblr.com", "telegram-cdn.org", "cdn.bsky.app", "video.bsky.app",
	"video.cdn.bsky.app", "pbs.twimg.com", "video.twimg.com", "media.discordapp.net", "cdn.discordapp.com",
	"files.mastodon.social", "static-cdn.jtvnw.net", "scontent.cdninstagram.com", "fbcdn.net",
	// Image, video and file upload hosts.
	"imgur.com", "redgifs.com", "gfycat.com", "giphy.com", "tenor.com", "streamable.com", "ibb.co",
	"imgbb.com", "postimg.cc", "postimages.org", "catbox.moe", "imagebam.com", "imagetwist.com",
	"pixhost.to", "imgbox.com", "prnt.sc", "gyazo.com", "lensdump.com", "pomf.lain.la", "uguu.se",
}

// IsMedia reports whether raw points at media: anything the fetcher's
// source.IsMediaURL refuses, plus media files by extension or format
// parameter, media and upload hosts, Reddit galleries, pict-rs uploads,
// data: URIs and scheme-less URLs written in text. An unparsable string is
// not media (and not a link either: see CleanLinks).
func IsMedia(raw string) bool {
	raw = strings.TrimSpace(raw)
	if source.IsMediaURL(raw) {
		return true
	}
	if len(raw) >= 5 && strings.EqualFold(raw[:5], "data:") {
		return true
	}
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if u.Host == "" && !strings.Contains(raw, "://") {
		// Scheme-less text such as "i.redd.it/abc.jpg" or
		// "www.youtube.com/watch?v=…" as written in a post.
		if v, err := url.Parse("https://" + raw); err == nil {
			u = v
		}
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	for _, h := range mediaHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	if host == "reddit.com" || strings.HasSuffix(host, ".reddit.com") {
		if strings.HasPrefix(u.Path, "/gallery/") || strings.HasPrefix(u.Path, "/media") {
			return true
		}
	}
	// Lemmy's pict-rs serves uploads under /pictrs/image/, often without
	// an extension.
	if strings.Contains(u.Path, "/pictrs/image/") {
		return true
	}
	if ext := strings.TrimPrefix(strings.ToLower(path.Ext(u.Path)), "."); mediaExts[ext] {
		return true
	}
	q := u.Query()
	for _, k := range []string{"format", "fm", "ext", "mime"} {
		v := strings.ToLower(q.Get(k))
		if mediaExts[v] || strings.HasPrefix(v, "image/") || strings.HasPrefix(v, "video/") || strings.HasPrefix(v, "audio/") {
			return true
		}
	}
	return false
}

// IsMediaType reports whether a MIME type names image, video or audio.
func IsMediaType(mime string) bool {
	mime = strings.ToLower(strings.TrimSpace(mime))
	return strings.HasPrefix(mime, "image/") || strings.HasPrefix(mime, "video/") || strings.HasPrefix(mime, "audio/")
}
