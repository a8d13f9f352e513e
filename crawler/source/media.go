package source

import (
	"net/url"
	"path"
	"strings"
)

// mediaExtensions are file extensions of images, video, audio and
// streaming manifests: never fetched, never kept in a post.
var mediaExtensions = map[string]bool{
	// images
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true, ".pjpeg": true, ".png": true,
	".apng": true, ".gif": true, ".webp": true, ".avif": true, ".heic": true, ".heif": true,
	".bmp": true, ".tif": true, ".tiff": true, ".svg": true, ".svgz": true, ".ico": true,
	".jxl": true, ".raw": true, ".psd": true,
	// video
	".mp4": true, ".m4v": true, ".webm": true, ".mov": true, ".qt": true, ".avi": true,
	".mkv": true, ".flv": true, ".f4v": true, ".wmv": true, ".mpg": true, ".mpeg": true,
	".3gp": true, ".3g2": true, ".ogv": true, ".vob": true, ".m2ts": true, ".mts": true,
	".m3u8": true, ".mpd": true, ".gifv": true,
	// audio
	".mp3": true, ".m4a": true, ".aac": true, ".ogg": true, ".oga": true, ".opus": true,
	".wav": true, ".flac": true, ".wma": true, ".aiff": true, ".mid": true, ".midi": true,
	".amr": true,
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

// mediaHosts serve nothing but media (uploads, galleries, CDNs), whatever
// the path looks like; subdomains match too. Kept in step with the
// platform adapters' list (crawler/internal/platform).
var mediaHosts = []string{
	"i.redd.it", "v.redd.it", "preview.redd.it", "external-preview.redd.it", "g.redd.it",
	"media.tumblr.com", "telegram-cdn.org", "cdn.bsky.app", "video.bsky.app",
	"pbs.twimg.com", "video.twimg.com", "media.discordapp.net", "cdn.discordapp.com",
	"files.mastodon.social", "static-cdn.jtvnw.net", "scontent.cdninstagram.com", "fbcdn.net",
	"i.ytimg.com", "img.youtube.com",
	"imgur.com", "redgifs.com", "gfycat.com", "giphy.com", "tenor.com", "streamable.com", "ibb.co",
	"imgbb.com", "postimg.cc", "postimages.org", "catbox.moe", "imagebam.com", "imagetwist.com",
	"pixhost.to", "imgbox.com", "prnt.sc", "gyazo.com", "lensdump.com", "pomf.lain.la", "uguu.se",
}

// IsMediaURL reports whether raw points at media: an image, video or audio
// file by its extension, a media-only host, or an image format query
// (?format=jpg). Such URLs are never fetched and dropped from posts.
func IsMediaURL(raw string) bool {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// Unparseable: judge by the path-looking part alone.
		return anyIn(extensions(raw), mediaExtensions)
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
	if (host == "reddit.com" || strings.HasSuffix(host, ".reddit.com")) && strings.HasPrefix(u.Path, "/gallery/") {
		return true // a Reddit image gallery
	}
	if anyIn(extensions(u.Path), mediaExtensions) {
		return true
	}
	if !strings.Contains(u.RawQuery, "format=") {
		return false
	}
	if f := strings.ToLower(u.Query().Get("format")); f != "" && mediaExtensions["."+f] {
		return true
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
