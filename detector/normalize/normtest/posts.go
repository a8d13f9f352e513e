package normtest

import (
	"math/rand/v2"
	"strings"
)

var words = strings.Fields(`the a to and of i you it in is that for my on this
with be have just so me but not are was at your all like can do if get what
we one out up they about now more good time when love day how today really
know new think people make see go back got great much still going after need
want some thank work first last year night would thanks best could over
never home life little world right week game look something team last happy
always everyone again feel show watch music photo morning coffee weekend
friend friends family dinner lunch movie book city trip beach summer winter
rain sun long pretty amazing awesome fun cool post update video stream live
season episode match goal score playing played win lost finally tonight
tomorrow yesterday birthday party school class project meeting office
online free sale price shop store order delivery link bio check follow
share comment reply thread news story vote market crypto trading signals
session line wire signal matrix discord server rules strength up transfer
snapshot toxic detox briar rose element kick snap`)

var emoji = []string{"😂", "❤️", "🔥", "👍", "🙏", "😍", "✨", "🎉", "😭", "💯", "👀", "🤔", "😅", "🙌", "🍕", "☕", "🌞", "🏀", "⚽", "🎮", "👻", "✈️", "🇺🇸", "🇧🇷", "👍🏽"}

var foreign = []string{"très bien", "mañana", "straße", "café", "niño", "привет всем", "спасибо", "こんにちは", "谢谢", "ça va", "você", "größer"}

var hashtags = []string{"#tbt", "#love", "#photooftheday", "#gaming", "#music", "#foodie", "#travel", "#nofilter", "#crypto", "#art"}

var contacts = []string{
	"wickr: placeholder_01", "add me on kik example_seller", "tg @tg_demo_77",
	"t.me/example_chan", "snap: placeholder_02", "hmu on wickr placeholder_03",
	"w i c k r : placeholder_04", "t . me / example_chan", "discord.gg/AbCdEf12",
	"wa.me/15550100123", "ｗｉｃｋｒ placeholder_05", "kik me demo_user_9",
	"session id 05" + strings.Repeat("ab12", 16), "sn@p: placeholder_06",
}

// Posts returns n posts generated from seed.
func Posts(n int, seed uint64) []string {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	posts := make([]string, n)
	var b strings.Builder
	for i := range posts {
		b.Reset()
		target := 50 + rng.IntN(350)
		nonASCII := rng.IntN(2) == 0
		for b.Len() < target {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			switch r := rng.IntN(100); {
			case r < 3:
				b.WriteString(hashtags[rng.IntN(len(hashtags))])
			case r < 5:
				b.WriteString("@user")
				b.WriteString(strings.Repeat("x", 1+rng.IntN(6)))
			case r < 6:
				b.WriteString("https://example.com/p/")
				b.WriteString(words[rng.IntN(len(words))])
			case r < 8 && nonASCII:
				b.WriteString(emoji[rng.IntN(len(emoji))])
			case r < 9 && nonASCII:
				b.WriteString(foreign[rng.IntN(len(foreign))])
			case r < 11:
				for range 1 + rng.IntN(4) {
					b.WriteByte(byte('0' + rng.IntN(10)))
				}
			default:
				// Roughly Zipf: earlier words are far more frequent.
				w := words[int(float64(len(words))*rng.Float64()*rng.Float64())]
				if rng.IntN(12) == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
				}
				b.WriteString(w)
				if rng.IntN(10) == 0 {
					b.WriteByte(".,!?"[rng.IntN(4)])
				}
			}
		}
		if rng.IntN(100) < 3 {
			b.WriteString(" ")
			b.WriteString(contacts[rng.IntN(len(contacts))])
		}
		posts[i] = b.String()
	}
	return posts
}
