package gen

import "sort"

// family is one kind of post: its label, its hard-negative tags, the apps
// its contacts use and the ages it writes.
type family struct {
	name         string
	pos          bool
	tags         []string
	apps         []string // nil: every app
	ageLo, ageHi int
	disguise     float64
}

var (
	allApps       = apps
	shopApps      = []string{"whatsapp", "viber", "telegram", "line", "wechat", "signal"}
	groupApps     = []string{"telegram", "discord", "whatsapp", "signal", "matrix", "simplex", "viber", "line"}
	gamingApps    = []string{"discord", "telegram", "skype", "snapchat", "kik", "line", "wechat"}
	pressApps     = []string{"signal", "threema", "session", "wire", "simplex", "telegram", "whatsapp", "matrix", "briar"}
	adultApps     = []string{"telegram", "snapchat", "whatsapp", "kik", "line", "wechat", "skype", "signal", "wickr", "viber"}
	parentApps    = []string{"whatsapp", "telegram", "signal", "viber", "line", "threema"}
	cryptoApps    = []string{"telegram", "discord", "whatsapp", "signal", "matrix", "simplex", "session"}
	communityApps = []string{"discord", "telegram", "whatsapp", "matrix", "signal", "simplex", "line", "wire"}
)

const posDisguise, negDisguise = 0.16, 0.03

var families = []family{
	{name: "pos.offer.sell", pos: true},
	{name: "pos.offer.trade", pos: true},
	{name: "pos.offer.menu", pos: true},
	{name: "pos.request.buy", pos: true},
	{name: "pos.group.invite", pos: true, apps: groupApps},
	{name: "pos.coded.token", pos: true},
	{name: "pos.coded.food", pos: true},
	{name: "pos.emoji.code", pos: true},
	{name: "pos.age.claim", pos: true},
	{name: "pos.hashtags", pos: true},
	{name: "pos.two.apps", pos: true},
	{name: "pos.split.lines", pos: true},
	{name: "pos.handle.first", pos: true},

	{name: "neg.adult.only", tags: []string{"adult-only-ad"}, apps: adultApps, ageLo: 18, ageHi: 25},
	{name: "neg.parenting.school", tags: []string{"ordinary", "parenting"}, apps: parentApps},
	{name: "neg.sport.youth", tags: []string{"ordinary", "youth-sport"}, apps: parentApps},
	{name: "neg.babysitting.tutoring", tags: []string{"marketplace", "services"}, apps: shopApps},
	{name: "neg.marketplace.kids", tags: []string{"marketplace"}, apps: shopApps, ageLo: 1, ageHi: 12},
	{name: "neg.school.uniform", tags: []string{"marketplace"}, apps: shopApps, ageLo: 4, ageHi: 15},
	{name: "neg.marketplace.general", tags: []string{"marketplace"}, apps: shopApps},
	{name: "neg.pizza.shop", tags: []string{"pizza-food"}, apps: shopApps},
	{name: "neg.crypto.young", tags: []string{"crypto-spam"}, apps: cryptoApps},
	{name: "neg.gaming.trade", tags: []string{"gaming-invite", "cp-other"}, apps: gamingApps},
	{name: "neg.cp.clubpenguin", tags: []string{"cp-club-penguin"}, apps: gamingApps},
	{name: "neg.cp.palsy", tags: []string{"cp-cerebral-palsy"}, apps: parentApps},
	{name: "neg.cards.trade", tags: []string{"marketplace", "card-trading"}, apps: gamingApps},
	{name: "neg.news.arrest", tags: []string{"news"}, apps: allApps, ageLo: 8, ageHi: 15},
	{name: "neg.police.statement", tags: []string{"law-enforcement"}, apps: allApps, ageLo: 8, ageHi: 15},
	{name: "neg.safety.advice", tags: []string{"safety-advice"}, apps: allApps, ageLo: 8, ageHi: 15},
	{name: "neg.scam.warning", tags: []string{"safety-advice", "scam-warning"}, apps: allApps},
	{name: "neg.journalist.tips", tags: []string{"news", "tip-line"}, apps: pressApps},
	{name: "neg.app.review", tags: []string{"app-review"}, apps: allApps},
	{name: "neg.chat.ordinary", tags: []string{"ordinary"}, apps: allApps},
	{name: "neg.community.invite", tags: []string{"community-invite"}, apps: communityApps},
	{name: "neg.product.name", tags: []string{"product-name"}, apps: allApps},
}

func init() {
	for i := range families {
		f := &families[i]
		if f.ageLo == 0 {
			f.ageLo, f.ageHi = 8, 15
			if !f.pos {
				f.ageLo, f.ageHi = 3, 16
			}
		}
	}
}

func (f *family) appList() []string {
	if f.apps == nil {
		return allApps
	}
	return f.apps
}

// langs returns the languages that have templates for f, sorted.
func (f *family) langs() []string {
	var out []string
	for l, lex := range lexicons {
		if len(lex["T:"+f.name]) > 0 || len(shared["T:"+f.name]) > 0 {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// generate writes one example of f in lang.
func (f *family) generate(r *rng, lang string) Example {
	lex := lexicons[lang]
	tpls := append(append([]string(nil), lex["T:"+f.name]...), shared["T:"+f.name]...)
	for try := 0; ; try++ {
		c := &ctx{r: r, lang: lang, lex: lex, fam: f, tags: map[string]bool{}, usedApps: map[string]bool{}}
		c.disguise = negDisguise
		if f.pos {
			c.disguise = posDisguise
		}
		text := tidy(c.expand(pick(r, tpls)))
		if f.pos && r.chance(0.25) {
			text = tidy(text + " " + c.expand(pick(r, c.choices("tail"))))
		}
		limit := maxText
		if f.pos {
			limit = maxPosText
		}
		if len(text) > limit && try < 50 {
			continue
		}
		for _, t := range f.tags {
			c.tag(t)
		}
		ex := Example{
			Text:    text,
			Label:   LabelBenign,
			Handles: dedupe(c.handles),
			Lang:    lang,
			Tags:    c.finishTags(),
			Family:  f.name,
		}
		if f.pos {
			ex.Label = LabelSolicitation
		}
		return ex
	}
}

func dedupe(hs []Handle) []Handle {
	out := make([]Handle, 0, len(hs))
	seen := map[Handle]bool{}
	for _, h := range hs {
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}
