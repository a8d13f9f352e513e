package gen

// Emoji for minors and coded goods, with skin-tone modifiers and ZWJ
// sequences, and app-logo emoji. Negatives use them too (a parent's post, a
// toy sale), so that an emoji alone does not decide the label.

var (
	emojiPersons = []string{"👧", "👦", "🧒", "👶", "👼", "🙋", "🧍"}
	skinTones    = []string{"\U0001F3FB", "\U0001F3FC", "\U0001F3FD", "\U0001F3FE", "\U0001F3FF"}
	emojiObjects = []string{"🍼", "🧸", "🎒", "🚸", "🍭", "🏫", "🪀", "🧃", "🎠", "🛝", "🐣", "🌸", "🍬"}
	emojiFamily  = []string{
		"👨\u200d👧", "👩\u200d👧", "👨\u200d👩\u200d👧", "👩\u200d👧\u200d👦", "👨\u200d👧\u200d👧",
		"👩\u200d👦", "👨\u200d👦\u200d👦", "👩\u200d👩\u200d👧", "🧑\u200d🧒",
	}
	emojiGoods = []string{"📁", "📂", "🗂️", "🎥", "📸", "📷", "🎞️", "💾", "🔗", "📦", "🗃️", "☁️", "💽", "📼", "🎬", "📲"}
	emojiDeco  = []string{"🔥", "💯", "✅", "💸", "💰", "⭐", "🆕", "‼️", "👇", "👉", "✨", "💥", "😈", "🤫", "🔒", "📩", "💬"}
)

func emojiMinor(r *rng) string {
	switch r.intn(4) {
	case 0:
		return pick(r, emojiPersons)
	case 1:
		return pick(r, emojiPersons) + pick(r, skinTones)
	case 2:
		return pick(r, emojiFamily)
	default:
		return pick(r, emojiObjects)
	}
}

// appVariant lists how posts name one app.
type appVariant struct {
	names, abbrev, misspelt, cyrillic, emoji []string
}

var appVariants = map[string]appVariant{
	"wickr": {names: []string{"wickr", "Wickr", "WICKR", "wickr me", "Wickr Me", "wickrme"},
		abbrev: []string{"wkr", "wckr"}, misspelt: []string{"wikr", "wicker", "wiccr", "wickrr", "whickr"},
		cyrillic: []string{"викр", "виккр"}},
	"telegram": {names: []string{"telegram", "Telegram", "TELEGRAM", "tele"},
		abbrev: []string{"tg", "TG", "tgram"}, misspelt: []string{"telegrm", "telgram", "telegarm", "telegramm", "teleqram"},
		cyrillic: []string{"телеграм", "телега", "тг", "телеграмм"}, emoji: []string{"✈️"}},
	"kik": {names: []string{"kik", "Kik", "KIK", "kik me", "kik messenger"}, misspelt: []string{"kikk", "kick"},
		cyrillic: []string{"кик"}},
	"session": {names: []string{"session", "Session", "session id", "Session ID", "session app"},
		abbrev: []string{"sesh"}, misspelt: []string{"sesion", "sessoin"}, cyrillic: []string{"сешн", "сессия"}},
	"signal": {names: []string{"signal", "Signal", "SIGNAL", "signal app"}, abbrev: []string{"sgnl"},
		misspelt: []string{"signl", "singal", "sigal"}, cyrillic: []string{"сигнал"}},
	"snapchat": {names: []string{"snapchat", "Snapchat", "SNAPCHAT", "snap", "Snap"}, abbrev: []string{"sc", "SC", "snp"},
		misspelt: []string{"snapchta", "snpchat", "snapcht", "snapchatt"}, cyrillic: []string{"снап", "снэпчат", "снапчат"},
		emoji: []string{"👻"}},
	"whatsapp": {names: []string{"whatsapp", "WhatsApp", "WHATSAPP", "whats app"},
		abbrev: []string{"wa", "WA", "wsp", "wpp", "zap", "whats"}, misspelt: []string{"watsap", "whatsap", "watsapp", "whatapp", "wassap", "guasap"},
		cyrillic: []string{"вотсап", "ватсап", "вацап"}},
	"discord": {names: []string{"discord", "Discord", "DISCORD"}, abbrev: []string{"dc", "disc", "dsc"},
		misspelt: []string{"discrod", "dicord", "discorde", "dscord"}, cyrillic: []string{"дискорд", "дс"}},
	"threema": {names: []string{"threema", "Threema", "threema id", "Threema-ID"}, misspelt: []string{"threma", "treema", "threeema"},
		cyrillic: []string{"трима"}},
	"matrix": {names: []string{"matrix", "Matrix", "element", "Element", "matrix/element"}, misspelt: []string{"matrx"},
		cyrillic: []string{"матрикс"}},
	"simplex": {names: []string{"simplex", "SimpleX", "simplex chat", "SimpleX Chat"}, misspelt: []string{"simplx", "simpelx"}},
	"wire":    {names: []string{"wire", "Wire", "wire app", "Wire messenger"}, misspelt: []string{"wiire"}},
	"teleguard": {names: []string{"teleguard", "TeleGuard", "tele guard", "Teleguard ID"},
		misspelt: []string{"telegaurd", "teleguad", "tellguard"}, cyrillic: []string{"телегард"}},
	"tox":   {names: []string{"tox", "Tox", "tox id", "Tox ID", "qtox", "qTox"}, misspelt: []string{"toks"}},
	"briar": {names: []string{"briar", "Briar", "briar app"}, misspelt: []string{"brair", "briarr"}},
	"viber": {names: []string{"viber", "Viber", "VIBER"}, misspelt: []string{"vibr", "vyber", "viiber"},
		cyrillic: []string{"вайбер", "вибер"}},
	"line": {names: []string{"line", "LINE", "Line", "line id", "LINE ID", "line app"}, misspelt: []string{"lien"}},
	"wechat": {names: []string{"wechat", "WeChat", "WECHAT", "weixin", "wechat id"}, abbrev: []string{"wx", "vx"},
		misspelt: []string{"wechatt", "wehcat", "wchat"}, cyrillic: []string{"вичат", "вэйчат"}},
	"skype": {names: []string{"skype", "Skype", "SKYPE", "skype id"}, misspelt: []string{"skipe", "skpye", "scype"},
		cyrillic: []string{"скайп"}},
}
