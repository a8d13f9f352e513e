package source

import (
	"net/url"
	"path"
	"strings"
)

// mediaExtensions are file extensions of images, video, audio and
// streaming manifests: never fetched, never kept in a post. ".ts" (an MPEG
// transport stream) is left out: far more links ending in .ts are
// TypeScript sources, and HLS segments are reached through .m3u8.
var mediaExtensions = map[string]bool{
	// images
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true, ".pjpeg": true, ".pjpg": true,
	".png": true, ".apng": true, ".gif": true, ".webp": true, ".avif": true, ".heic": true,
	".heif": true, ".bmp": true, ".tif": true, ".tiff": true, ".svg": true, ".svgz": true,
	".ico": true, ".jxl": true, ".raw": true, ".psd": true,
	// video
	".mp4": true, ".m4v": true, ".webm": true, ".mov": true, ".qt": true, ".avi": true,
	".mkv": true, ".flv": true, ".f4v": true, ".wmv": true, ".mpg": true, ".mpeg": true,
	".3gp": true, ".3g2": true, ".ogv": true, ".vob": true, ".m2ts": true, ".mts": true,
	".m3u8": true, ".mpd": true, ".gifv": true,
	// audio
	".mp3": true, ".m4a": true, ".aac": true, ".ogg": true, ".oga": true, ".opus": true,
	".wav": true, ".flac": true, ".wma": true, ".weba": true, ".aiff": true, ".mid": true,
	".midi": true, ".amr": true,
}

// binaryExtensions are archives, documents and programs: not media, so a
// post may keep such a link as evidence, but the fetcher never downloads
// them.
var binaryExtensions = map[string]bool{
	".zip": true, ".rar": true, ".7z": true, ".tar": true, ".gz": true, ".tgz": true,
	".bz2": true, ".xz": true, ".zst": true, ".lz4": true, ".cab": true, ".iso": true,
	".dmg": true, ".exe": true, ".msi": true, ".apk": true, ".ipa": true, ".deb": true,
	".rpm": true, ".bin": true, ".pdf": true, ".doc": true, ".docx": true, ".xls": true,
	".xlsx": true, ".ppt": true, ".pptx": true, ".torrent": true, ".woff": true,
	".woff2": true, ".ttf": true, ".otf": true, ".eot": true, ".swf": true,
}

// mediaHosts serve uploaded images, video or audio (or galleries of them)
// rather than pages with text, whatever the path looks like; subdomains
// match too. Mainstream platforms whose pages carry text and their own
// moderation (youtube.com, vimeo.com) are not listed: their watch pages
// stay links, only their thumbnail hosts are media.
var mediaHosts = []string{
	// Reddit's own media and preview hosts.
	"i.redd.it", "v.redd.it", "preview.redd.it", "external-preview.redd.it", "g.redd.it",
	// Platform CDNs.
	"media.tumblr.com", "telegram-cdn.org", "cdn.bsky.app", "video.bsky.app",
	"pbs.twimg.com", "video.twimg.com", "media.discordapp.net", "cdn.discordapp.com",
	"files.mastodon.social", "static-cdn.jtvnw.net", "scontent.cdninstagram.com", "fbcdn.net",
	"i.ytimg.com", "img.youtube.com",
	// Image, video and file upload hosts.
	"imgur.com", "redgifs.com", "gfycat.com", "giphy.com", "tenor.com", "streamable.com", "ibb.co",
	"imgbb.com", "postimg.cc", "postimages.org", "catbox.moe", "imagebam.com", "imagetwist.com",
	"pixhost.to", "imgbox.com", "prnt.sc", "gyazo.com", "lensdump.com", "pomf.lain.la", "uguu.se",
}

// mediaQueryKeys name an image or video format in a query
// (?format=jpg, imgix's ?fm=webp, ?mime=image/png).
var mediaQueryKeys = []string{"format", "fm", "ext", "mime"}

// IsMediaURL reports whether raw points at media: an image, video or audio
// file by its extension, a media-only host, a Reddit gallery or media
// viewer, a Lemmy pict-rs upload, a data: or blob: URI, or a format query
// (?format=jpg). A scheme-less URL as written in text ("i.redd.it/abc") is
// judged as https. Such URLs are never fetched and never kept in a post.
func IsMediaURL(raw string) bool {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil {
		// Unparseable: judge by the path-looking part alone.
		return anyIn(extensions(raw), mediaExtensions)
	}
	if u.Scheme == "" && u.Host == "" && !strings.HasPrefix(raw, "/") {
		if v, err := url.Parse("https://" + raw); err == nil {
			u = v
		}
	}
	return isMedia(u)
}

func isMedia(u *url.URL) bool {
	if strings.EqualFold(u.Scheme, "data") || strings.EqualFold(u.Scheme, "blob") {
		return true
	}
	host := strings.ToLower(u.Hostname())
	for _, h := range mediaHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			return true
		}
	}
	if host == "reddit.com" || strings.HasSuffix(host, ".reddit.com") {
		// An image gallery, or the viewer of an uploaded image (/media?url=…).
		if strings.HasPrefix(u.Path, "/gallery/") || u.Path == "/media" || strings.HasPrefix(u.Path, "/media/") {
			return true
		}
	}
	// Lemmy's pict-rs serves uploads under /pictrs/image/, often without
	// an extension.
	if strings.Contains(u.Path, "/pictrs/image/") {
		return true
	}
	if anyIn(extensions(u.Path), mediaExtensions) {
		return true
	}
	if u.RawQuery == "" {
		return false
	}
	q := u.Query()
	for _, k := range mediaQueryKeys {
		v := strings.ToLower(strings.TrimSpace(q.Get(k)))
		if v == "" {
			continue
		}
		if mediaExtensions["."+v] || strings.HasPrefix(v, "image/") || strings.HasPrefix(v, "video/") || strings.HasPrefix(v, "audio/") {
			return true
		}
	}
	return false
}

// IsFetchableURL reports whether the fetcher may download u: neither media
// nor an archive, document or program by its extension.
func IsFetchableURL(u *url.URL) bool {
	if isMedia(u) {
		return false
	}
	return !anyIn(extensions(u.Path), binaryExtensions)
}

// extension is the lowercased extension of the last path segment, with a
// trailing ";params" or "/" ignored.
func extension(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	p = strings.TrimRight(p, "/")
	seg := p[strings.LastIndexByte(p, '/')+1:]
	return strings.ToLower(path.Ext(seg))
}

// extensions are the extensions of a path judged both with and without
// its ";parameters" ("/pic.jpg;jsessionid=1", "/x;v=1.gif").
func extensions(p string) []string {
	exts := []string{extension(p)}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	p = strings.TrimRight(p, "/")
	seg := p[strings.LastIndexByte(p, '/')+1:]
	if i := strings.IndexByte(seg, ';'); i >= 0 {
		exts = append(exts, strings.ToLower(path.Ext(seg[:i])))
	}
	return exts
}

func anyIn(exts []string, set map[string]bool) bool {
	for _, e := range exts {
		if set[e] {
			return true
		}
	}
	return false
}
