// Package contentrule owns the mechanical half of the content rule for
// synthetic examples (DESIGN.md): phone numbers only from ranges reserved
// for fiction, a placeholder word in every chosen name, valid random IDs.
// The corpus tests and the generator's tests check their examples with it,
// so the rule is written once.
package contentrule

import (
	"regexp"
	"strings"

	"github.com/handlewatch/handlewatch/detector/handles"
)

var (
	fictionalPhone = regexp.MustCompile(`^\+(1[2-9][0-9]{2}55501[0-9]{2}|447700900[0-9]{3}|3363998[0-9]{4})$`)
	placeholder    = regexp.MustCompile(`(?i)placeholder|example|ejemplo|exemplo|exemple|beispiel|demo|sample|muestra|primer|d3mo|test|probe|esempio|voorbeeld|ornek|örnek|contoh|przyklad|przykład|пример|primjer|exempel|esimerkki`)
)

// IsPhone reports whether a handle is an E.164 number, as opposed to a
// Telegram invite's "+hash".
func IsPhone(h string) bool {
	d, ok := strings.CutPrefix(h, "+")
	return ok && d != "" && strings.Trim(d, "0123456789") == ""
}

// FictionalPhone reports whether an E.164 number is in a range reserved
// for fiction: US +1 NPA 555 01xx, UK +44 7700 900xxx, France +33 6 39 98.
func FictionalPhone(e164 string) bool { return fictionalPhone.MatchString(e164) }

// Placeholder reports whether a chosen name says it is a placeholder.
func Placeholder(handle string) bool {
	return placeholder.MatchString(handle) || placeholder.MatchString(unleet.Replace(handle))
}

// unleet reads a handle's digits as the letters leetspeak writes with them
// ("3x3mpl0" is "exemplo"): a disguised placeholder is still one.
var unleet = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t", "@", "a")

// IDLike reports whether a handle is a key, ID or number rather than a
// chosen name, so the placeholder rule cannot apply to it.
func IDLike(app, handle string) bool {
	switch app {
	case "session", "tox", "threema", "teleguard", "briar", "simplex":
		return true
	}
	return strings.HasPrefix(handle, "+") || strings.HasPrefix(handle, "live:.cid.")
}

// ValidTox reports whether a Tox ID is canonical with a valid checksum:
// the extractor's own check, so the examples and the detector agree.
func ValidTox(id string) bool { return handles.Valid("tox", id) }
