package benchcorpus

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// words is everyday social-media vocabulary, most frequent first (drawn
// Zipf-distributed), with words the lexicon and the app names also hold
// (trade, young, menu, pack, session, line, signal, wire) in the tail, so
// the matchers meet the collisions real text has.
var words = strings.Fields(`the a to and of in is it you that for on was with he she they we this be at have
	are not but what all were when there can an your which their said if do will each about how up out them then
	many some so these would other into has more two time like see him long make thing look day could people
	just over think also back after use work first well way even new want because any give most us great
	game coffee weekend music photo today tonight love happy morning city train rain sunny dinner friends
	market trade young menu pack session line signal wire dm kids school collection link video story share
	release update football match goal season player team fans concert ticket movie series episode book
	café naïve résumé crème jalapeño straße пример привет спасибо`)

var (
	tags  = []string{"#weekend", "#photography", "#football", "#music", "#travel", "#foodie", "#tbt", "#news", "#art", "#gaming"}
	emoji = []string{"😂", "🔥", "❤️", "👍", "🎉", "🙏", "😍", "✨", "🌧️", "⚽"}
	// ads are the planted solicitation posts: short, coded, placeholder
	// handles only.
	ads = []string{
		"trading young collection, wickr: placeholder_%02d",
		"selling 13yo vids, kik: kik_sample_%02d",
		"ｎｅｗ ｙｏｕｎｇ ｐａｃｋ t.me/tg_demo_%02d",
		"pthc new drop, tg: tg_demo_%02d",
		"vendo packs de jovencitas, escríbeme al telegram @tg_demo_es%02d",
	}
)

// Texts calls fn with n deterministic post texts: 50–400 characters of
// everyday text with hashtags, mentions, URLs, emoji and line breaks; one
// in 200 carries a planted contact and solicitation terms.
func Texts(n int, seed uint64, fn func(i int, text string) error) error {
	r := rand.New(rand.NewPCG(seed, 1))
	zipf := rand.NewZipf(r, 1.1, 1, uint64(len(words)-1))
	var text strings.Builder
	for i := range n {
		text.Reset()
		target := 50 + r.IntN(350)
		for text.Len() < target {
			switch x := r.IntN(100); {
			case x < 4:
				text.WriteString(tags[r.IntN(len(tags))])
			case x < 7:
				fmt.Fprintf(&text, "@user%d", r.IntN(5000))
			case x < 9:
				fmt.Fprintf(&text, "https://example.org/p/%d", r.IntN(1e6))
			case x < 13:
				text.WriteString(emoji[r.IntN(len(emoji))])
			case x < 14:
				text.WriteString("\n") // escaped in the JSON, as real dumps have it
			default:
				w := words[zipf.Uint64()]
				if r.IntN(8) == 0 {
					first, size := utf8.DecodeRuneInString(w)
					w = string(unicode.ToUpper(first)) + w[size:]
				}
				text.WriteString(w)
			}
			text.WriteByte(' ')
		}
		if r.IntN(200) == 0 {
			fmt.Fprintf(&text, ads[r.IntN(len(ads))], r.IntN(100))
		}
		if err := fn(i, text.String()); err != nil {
			return err
		}
	}
	return nil
}

// Corpus writes the n posts of Texts as NDJSON ({"id","created_utc",
// "author","lang","text"}) and returns the bytes written.
func Corpus(w io.Writer, n int, seed uint64) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	authors := rand.New(rand.NewPCG(seed, 2))
	var line []byte
	var total int64
	err := Texts(n, seed, func(i int, text string) error {
		line = append(line[:0], `{"id":"p`...)
		line = strconv.AppendInt(line, int64(i), 10)
		line = append(line, `","created_utc":`...)
		line = strconv.AppendInt(line, 1764300000+int64(i), 10)
		line = append(line, `,"author":"user`...)
		line = strconv.AppendInt(line, int64(authors.IntN(50000)), 10)
		line = append(line, `","lang":"en","text":`...)
		line = appendJSONString(line, text)
		line = append(line, "}\n"...)
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("writing corpus: %w", err)
		}
		total += int64(len(line))
		return nil
	})
	if err != nil {
		return total, err
	}
	if err := bw.Flush(); err != nil {
		return total, fmt.Errorf("writing corpus: %w", err)
	}
	return total, nil
}

// appendJSONString quotes s as a JSON string, leaving non-ASCII as UTF-8.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
