package source

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// ContentType is the response's media type, lowercased, without
// parameters ("application/json").
func (r *Response) ContentType() string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0]))
	}
	return mt
}

// UTF8Body returns the body as valid UTF-8. Response.Body is the bytes the
// server sent (Content-Encoding removed, never transcoded, so an XML
// parser can still honour its encoding declaration); UTF8Body decodes it
// by the Content-Type charset, or for HTML by its <meta charset>, and
// replaces invalid sequences with U+FFFD.
func (r *Response) UTF8Body() []byte {
	return ToUTF8(r.Body, r.Header.Get("Content-Type"))
}

// ToUTF8 decodes body by contentType's charset (sniffing an HTML <meta>
// when there is none) and replaces invalid sequences with U+FFFD.
func ToUTF8(body []byte, contentType string) []byte {
	_, name, certain := charset.DetermineEncoding(body, contentType)
	if name != "" && name != "utf-8" && (certain || hasCharset(contentType) || bytes.Contains(bytes.ToLower(firstBytes(body, 1024)), []byte("charset"))) {
		enc, _ := charset.Lookup(name)
		if enc != nil {
			if out, err := enc.NewDecoder().Bytes(body); err == nil {
				body = out
			}
		}
	}
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return body
}

func hasCharset(contentType string) bool {
	_, params, err := mime.ParseMediaType(contentType)
	return err == nil && params["charset"] != ""
}

func firstBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
