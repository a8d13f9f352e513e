package demo

// post is one synthetic post of the demo site.
type post struct {
	Author string
	Title  string
	Body   string
}

// seedPosts are on the site from the start. The solicitation examples are
// synthetic and follow the content rule: generic or coded offer terms and
// placeholder handles only.
var seedPosts = []post{
	{"garden_club", "Spring seed swap", "Bring your spare tomato and bean seeds on Saturday. Coffee provided."},
	{"reporter_desk", "Investigation: encrypted apps and abuse material",
		"Court documents describe how offenders used Wickr Me to trade abuse material; the FBI and NCMEC said reports rose last year."},
	{"placeholder_seller", "new stuff", "trading young collection, wickr: placeholder_01"},
	{"parents_forum", "What is Kik? A guide for parents",
		"Kik is a messaging app. Warning signs: your child gets messages from strangers. How to set privacy controls."},
	{"crypto_moon", "VIP signals", "Join our VIP trading signals group t.me/example_signals_vip, 300% profit, airdrop this week"},
	{"demo_trader", "menu", "cp menu for trade, no limits 🧀🍕 dm on telegram t.me/demo_trader_77"},
	{"game_night", "Looking for players", "Friday raid night, join our server discord.gg/ExAmPle42 — all skill levels welcome"},
	{"cp_support", "Cerebral palsy support group", "Our CP parents group meets monthly; message us on WhatsApp +1 555 0100 123 for details."},
	{"pizza_place", "Friday special", "Cheese pizza 🍕 two for one! Order on WhatsApp wa.me/15550100199"},
	{"kik_sample_4", "hmu", "selling 12yo pack, hmu on kik: kik_sample_4"},
	{"bookworm", "Young adult novels", "Trading my young adult novel collection, mostly fantasy. Pick-up only."},
	{"placeholder_two", "links", "ｗｉｃｋｒ me placeholder_02 for the young links"},
}

// livePosts are added one at a time while the demo runs, so the crawler's
// incremental polling has something new to find.
var livePosts = []post{
	{"bike_shop", "Used bike for sale", "Selling my old road bike, 54cm frame. Viber or WhatsApp +44 7700 900123."},
	{"snap_example9", "dm", "fresh teen pics for trade 🔥 snap: snap_example9"},
	{"weather_bot", "Forecast", "Rain later today, clearing by evening. Signal strength may drop in the valley."},
	{"session_demo", "new", "pthc trade, session id 0512345678901234567890123456789012345678901234567890123456789abcde"},
	{"safety_team", "Safety tip", "Never share your Snapchat or Telegram username with strangers. Report suspicious accounts."},
}
