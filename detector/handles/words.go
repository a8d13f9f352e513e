package handles

import (
	"slices"
	"sort"
	"strings"

	"github.com/handlewatch/handlewatch/detector/normalize"
)

// AppWord is one way posts name an app.
type AppWord struct {
	Word string // normalised (normalize.Normalize(...).Norm)
	App  string // one of wire.Apps
	// Ambiguous words are also ordinary words or name other things
	// ("signal", "line", "session", "snap", "tg", "zap", "dc"): a handle
	// after one needs a clear separator ("signal: x", "line id x"), an '@',
	// or a contact phrase before it ("add me on signal x").
	Ambiguous bool
	// Weak words are hints only (👻 for Snapchat): a handle after one needs
	// a clear separator.
	Weak bool
}

// Word lists, as written in posts; they are normalised at start-up.
var (
	appNames = map[string][]string{
		"wickr": {"wickr", "wickrme", "wickrze", "wickra", "wkr", "wckr", "wikr", "wiccr", "wickrr", "wickre",
			"викр", "виккр", "викре"},
		"telegram": {"telegram", "telegramm", "tellygram", "telegramkanal", "telegramkanaal", "telegramgruppe", "telegramgroep", "telegramchannel", "telegramie", "telegramku", "telegramik", "telegramcito", "telegramu", "telegramem",
			"telegramdan", "telegramda", "telegramdaki", "telgramdan", "telgramda", "telgramie", "telegrame", "telegramme", "telegramma", "telegrammo", "telegrm", "telgram", "telegarm", "telegrma", "telegrams", "telegrama", "teleg", "tlgrm", "tlgm", "tlg",
			"телеграм", "тилиграм", "телеграмчик", "телеграмм", "телеграмме", "телеграме", "телеграма", "телеграму", "телеграмом", "电报"},
		"kik":     {"kik", "kikme", "kiken"},
		"session": {"sessionid", "session app", "getsession"},
		"signal":  {"signalapp", "signal app"},
		"snapchat": {"snapchat", "snapchats", "snapchta", "snapchatt", "snpchat", "snapcht", "snapcaht", "snap chat", "snapchacie", "snapchata", "snapchatu", "snapp", "snapciat", "snapek", "snapka",
			"снапчат", "снэпчат", "снепчат", "снапчате", "снэпчате", "снепчате"},
		"whatsapp": {"whatsapp", "whatsap", "whatapp", "watsapp", "watsap", "wattsapp", "whattsapp", "wasap", "wassap", "guasap", "wpp", "zapzap", "whatsaap", "wtsp", "whatsie",
			"whatsappie", "whatsappa", "whatsappem", "whatsappu", "watsapie", "latsapie", "wasapito", "whatsappcito",
			"vatsaptan", "vatsapa", "watsaptan", "wacap", "wacapa", "wacapie", "whatsapptan", "whatsappdan", "whatsappta",
			"вотсап", "ватсап", "вацап", "вотсапп", "ватсапп", "воцап", "вотсапе", "ватсапе", "вацапе",
			"вотсаппе", "ватсаппе", "воцапе", "vatsap", "votsap", "whats app",
			"ouatsap", "ouatsapp", "wotsap", "wotsapp", "uotsap", "uozzap", "uotsapp", "latsap", "watsup"},
		"discord": {"discord", "discordapp", "discordzie", "discorda", "discordu", "dicord", "discrod", "dscord", "discor", "дискорд", "дискорде",
			"дискорда", "дискорду", "дискордом"},
		"threema":   {"threema", "threma", "treema", "тредма", "threemie", "threemy", "threemę", "3ma"},
		"matrix":    {"matrx", "matrix chat", "element app"},
		"simplex":   {"simplexchat", "simplex chat"},
		"wire":      {"wireapp", "wire app"},
		"teleguard": {"teleguard", "tele guard", "tele-guard", "tele gard", "tele-gard", "телегард"},
		"tox":       {"qtox", "utox", "toxchat", "tox id", "toxid"},
		"briar":     {"briar app", "briarapp"},
		"viber":     {"viber", "vibr", "viberze", "vibera", "viberu", "viberem", "vaiber", "vaibeur", "vaïber", "вайбер", "вайбере", "вайбера", "вайберу", "вибер", "вибере"},
		"line":      {"line id", "lineid", "line app"},
		"wechat": {"wechat", "weixin", "wechat id", "微信", "薇信", "вичат", "вичате",
			"вэйчат", "вейчат", "вэйчате", "вейчате"},
		"skype": {"skype", "skipe", "скайп", "скайпе", "скайпа", "скайпу", "скайпом"},
	}
	ambiguousNames = map[string][]string{
		"wickr":    {"wicker", "wick"},
		"telegram": {"tg", "tele", "tel3", "telega", "teledze", "telegi", "тележка", "тележке", "тележку", "телега", "телеге", "телегу", "тг", "тгк"},
		"session":  {"session", "sesh", "сешн", "сешен", "сешне", "сессия", "сессии", "сессию"},
		"signal":   {"signal", "sig", "sgnl", "signalu", "signalem", "senal", "segnale", "sinyal", "sygnal", "sygnale", "sygnalu", "сигнал", "сигнале", "сигнала", "сигналу"},
		"snapchat": {"snap", "sc", "snp", "snaps", "snapa", "snapie", "snapi", "snapten", "snapte", "snapden", "снап", "снэп"},
		"whatsapp": {"wa", "whats", "wats", "zap", "ws", "wsp", "wapp", "appen", "appje", "app me", "app", "wp", "whatsi"},
		"discord":  {"disc", "dc", "dsc", "дс", "дсе"},
		"matrix":   {"matrix", "element", "матрикс", "матриксе", "матрикса"},
		"simplex":  {"simplex", "симплекс", "симплексе"},
		"wire":     {"wire", "вайр", "вайре"},
		"tox":      {"tox"},
		"kik":      {"кик", "кике", "кика", "kiku", "kika", "kk"},
		"threema":  {"трима"},
		"briar":    {"briar"},
		"line":     {"line"},
		"wechat":   {"wx", "vx"},
	}
	weakNames = map[string][]string{
		"snapchat": {"👻"},
		"telegram": {"✈️"},
	}
)

// typoNames are the names whose one-slip variants are app words too; shorter
// names and ordinary words (viber → "vibe", skype → "skye", signal) are left
// out.
var typoNames = map[string]string{
	"telegram": "telegram", "snapchat": "snapchat", "whatsapp": "whatsapp", "discord": "discord",
	"threema": "threema", "teleguard": "teleguard", "wechat": "wechat", "wickr": "wickr",
}

// realWords are slips of an app name that are words or products of their
// own.
var realWords = map[string]bool{"telegraf": true}

// typos returns the variants of name with one letter dropped, doubled, or
// swapped with the next, and, for names of seven letters or more, with the
// last letter replaced ("telegran", "whatsapq"): a slip at the end of a
// long name still leaves it unmistakable, where one inside a short name
// may make another word.
func typos(name string) []string {
	var out []string
	for i := range name {
		out = append(out, name[:i]+name[i+1:])
		out = append(out, name[:i]+name[i:i+1]+name[i:])
		if i+1 < len(name) {
			out = append(out, name[:i]+name[i+1:i+2]+name[i:i+1]+name[i+2:])
		}
	}
	if last := len(name) - 1; len(name) >= 7 {
		for c := byte('a'); c <= 'z'; c++ {
			out = append(out, name[:last]+string(c))
		}
	}
	return slices.DeleteFunc(out, func(v string) bool { return v == name || len(v) < 4 || realWords[v] })
}

// stopSetRaw holds the stop words as written, for filtering typo variants.
var stopSetRaw = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range stopWords {
		m[w] = true
	}
	return m
}()

// Words that make what follows an app word a handle even without a
// separator: contact verbs and phrases in English, Spanish, Portuguese,
// German, French and Russian ("add me on kik x", "agrégame al kik x", "me
// chama no zap", "schreib mir auf telegram", "ajoute-moi sur snap",
// "пиши в телеграм").
var contactWords = strings.Fields(`
	add adding addme hmu dm dms pm pms msg message messages text txt hit contact
	reach find follow ping holla write talk inbox slide catch hml snapme kikme
	agregame agregarme agrega agreguen agregen escribeme escribime escribanme
	hablame mandame contactame buscame sigueme escribe
	chama chame chamar adiciona adicione adicionar manda mande fala fale
	schreib schreibt schreibe schreiben adde kontaktier kontaktiere meld melde meldet
	ajoute ajoutez ajouter ecris ecrivez ecrire contacte contactez
	пиши пишите напиши напишите писать добавь добавляй добавляйтесь стучи стучите
	aggiungimi aggiungetemi scrivimi scrivetemi contattami contattatemi cercami seguimi
	voeg toevoegen stuur contacteer bericht
	ekle ekleyin ekleyebilirsin yaz yazin yazsin ulas ulasin iletisim
	tambahkan tambah hubungi japri kontak
	dodaj dodajcie napisz piszcie pisz odezwij
	скинь скиньте кидай кидайте кинь киньте`)

// Possessives allow a copula after the app word ("my kik is x", "mi kik es
// x", "meu zap é x", "mein snap ist x", "mon snap c'est x").
var possessiveWords = strings.Fields(`my our mi mis nuestro meu minha mein meine meinen mon ma mes мой моя
	mio mia nostro mijn onze benim bizim moj moja mojego`)

// copulaWords may separate an app word from a handle after a possessive.
// Polish "to" is the copula of "mój kik to x".
var copulaWords = strings.Fields(`is was es era e foi ist war est etait это è its it's to`)

// separatorWords may separate an app word from a handle on their own ("kik
// me x", "session id 05…", "snap name: x", "kik username x").
var separatorWords = strings.Fields(`me m3 id name username user usr handle addy account acc acct info room
	number num nr numero nummer numéro номер ид nick nickname nutzer benutzer benutzername usuario
	utilisateur pseudo пользователь ник ника никнейм логин login alias
	called named llama llamo nombre chamo nome heisse heisst heiße heißt nom appelle зовут имя
	usuário identifiant kennung utente nomeutente gebruiker gebruikersnaam naam nummer numero
	contatto contato contacto kontakt
	channel chan kanal kanaal canal canale канал канала каналу kanali kanalim kanalimiz
	group gruppe groep grupo gruppo groupe группа группы группу grup grubu grubumuz grupa grupy
	kullanici kullaniciadi adim adi hesap hesabim numara numaram nomor akun nama numer nazwa uzytkownik konto
	adres adresim adresi address adresse indirizzo endereco direccion adresa адрес lautet`)

// stopWords can never be a handle in the handle position: function words
// of the six languages and words that follow an app name in prose ("Wickr
// Me app", "wickr me encrypted", "discord server", "kik is an app").
var stopWords = strings.Fields(`
	a an the and or but so if then than that this these those there here it its is are was were
	be been being am do does did done doing have has had having will would can could should shall
	may might must not no nor yes yeah yep nope ok okay to of in on at by for from with without
	about into onto over under up down out off as like just also too very really only even still
	already now today tonight tomorrow yesterday later soon asap again please pls plz thanks thank
	thx ty lol lmao haha omg btw idk tbh ngl fr rn all any some every each other another more most
	much many few less same new old good bad best free first last next one two three i im me my
	mine you your yours u ur he him his she her we our they their them who what when where why how
	which because since until while after before during through via per back away home instead
	either neither both around ever never always sometimes maybe probably actually basically
	literally seriously anyway anyways though although however etc get got go going gone went come
	came use uses used using make made say said says see saw seen know knew think want need let lets
	try tried help works working work broken dead deleted banned hacked blocked closed shut shutting
	launched owned acquired bought sold released reported according daily weekly right left time
	times day days week weeks year years people guys everyone anyone someone nobody friend friends
	info details below above bio dms hit hmu add text call msg message messages
	app apps application account accounts acc messenger messaging chat chats chatting group groups
	grp channel channels server servers user users username usernames id ids name names handle
	handles profile profiles link links encrypted encryption secure security private privacy
	anonymous platform service services client clients desktop mobile android ios iphone web website
	version update updates download downloads install installed login signup official support team
	bot bots call calls video videos voice premium plus business pro lite beta store play storage
	notifications settings feature features stories story filter filters streak streaks snaps lens
	map maps score verified status code codes qr number numbers phone contact contacts email
	strength strengths transfer transfers rules rule starts start started ends end ended
	up strong weak boost boosts lost loss processing booster
	el la los las un una unos unas y o pero que de del en con por para al mi mis tu tus su sus es son
	esta este esto eso ese esa aqui ahi alla si ya muy mas menos como cuando donde porque pues
	tambien solo hoy manana ahora luego gracias porfa favor te se le lo nos yo ella usuario cuenta
	grupo
	os as um uma e ou mas do da dos das no na nos nas pelo pela pra meu minha seu sua eu voce vc
	ele ela ta isso ai sim nao ja muito quando onde tambem hoje agora depois obrigado obrigada
	valeu conta numero
	der die das den dem des ein eine einen einem und oder aber dass ist sind war bin bist mit von zu
	zum zur auf an bei fur uber im aus nach nicht kein keine ja nein auch nur noch schon jetzt heute
	morgen hier da mein meine dein deine ich du er sie wir ihr mich mir dich dir uns bitte danke
	gruppe konto nummer
	le les des du et qui sont suis dans sur par pour avec sans au aux ce cet cette ces mon ma mes ton
	tes son sa ses je il elle nous vous ils elles moi toi lui oui non pas plus tres aussi seulement
	demain ici merci svp stp groupe compte
	и в на не что это как по с у я ты он она мы вы они мой моя мне меня тебе тут там да нет или но
	для из за от до тот та то те все всё
	us send sends sent sending share ask asking private privately direct directly anything something
	nos les enviar envia envien manden pasa pasen privado directo hay tengo tiene todo todos nuevo nueva
	voces lhe passa tenho tem novo nova
	euch sich ihn ihm ihnen man mal gern gerne einfach direkt privat alle alles was wer wie wo wann
	schicken schickt schick senden sendet sende fragen fragt frag kommt komm gibt gib haben hat habe hab
	habt sein weiter mehr neu neue neuen
	leur leurs sinon envoyer envoie envoyez prive tout tous nouveau nouvelle
	нам вам им ему ей их себе сюда туда скинь кинь отправь личку есть новые всем
	il lo gli di che non sono sei siamo ho hai ha abbiamo questo questa quello quella anche solo
	tutto tutti nuovo nuova mio mia tuo tua suo sua noi voi loro per con su tra fra ciao grazie qui
	het een van ik je jij hij wij jullie zij niet dat dit deze die met voor naar bij ook maar nog
	wel geen hier daar mijn jouw zijn haar ons onze hun alles nieuw nieuwe dank bedankt groep
	als comme jako sebagai unter onder namen aku saya gue gw kamu dulu`)

// asWords introduce the name someone goes by on the app ("find me on
// kik as x", "bei Kik als x", "sur Telegram je suis comme x", "na tg
// jestem jako x", "di tele aku sebagai x"): a label for a shaped name.
// Warnings use the like-words the same way ("a Telegram like @x", "um
// contato tipo @x", "контакт вроде @x").
var asWords = normSet(strings.Fields(`as als comme come como jako как sebagai unter namen onder
	like tipo вроде wie zoals`))

// appWordInfo is what the extractor keeps per normalised app word.
type appWordInfo struct {
	app       string
	ambiguous bool
	weak      bool
	// fuzzy: matched at edit distance 1 only (fuzzy.go); strict: a slip of
	// an ordinary word, which needs a separator and a shaped handle.
	fuzzy, strict bool
}

var (
	wordInfo    map[string]appWordInfo // single normalised words
	phraseInfo  map[string]appWordInfo // two-word names ("snap chat"), by first word
	phraseWords map[string][]string    // first word → whole phrases
	contactSet  map[string]bool
	possessive  map[string]bool
	copulaSet   map[string]bool
	sepWordSet  map[string]bool
	stopSet     map[string]bool
	labelSet    map[string]bool // separator words and copulas: "user", "is"
	nonASCII    []string        // normalised app words that are not ASCII (searched inside words)
)

func norm(s string) string { return normalize.Normalize(s).Norm }

func init() {
	wordInfo = map[string]appWordInfo{}
	phraseInfo = map[string]appWordInfo{}
	phraseWords = map[string][]string{}
	add := func(app string, words []string, ambiguous, weak bool) {
		for _, w := range words {
			n := norm(w)
			info := appWordInfo{app: app, ambiguous: ambiguous, weak: weak}
			if i := strings.IndexAny(n, " -"); i > 0 {
				// Two words, or one hyphenated ("tele-gard"): words end at
				// a hyphen, so both are phrases of their first word.
				first := n[:i]
				phraseInfo[n] = info
				phraseWords[first] = append(phraseWords[first], n)
				continue
			}
			if old, ok := wordInfo[n]; ok && old.app != app {
				panic("handles: app word " + n + " names both " + old.app + " and " + app)
			}
			wordInfo[n] = info
		}
	}
	for app, words := range appNames {
		add(app, words, false, false)
		for _, w := range words {
			if !strings.Contains(w, " ") && len(w) >= 6 && isASCIIWord(w) && strings.Contains(w, "l") {
				// '1' reads as 'i' in Norm, so "te1egram" is "teiegram".
				add(app, []string{strings.ReplaceAll(w, "l", "i")}, false, false)
			}
		}
	}
	for app, words := range ambiguousNames {
		add(app, words, true, false)
	}
	// Typing slips in the longer, unambiguous names: one letter dropped,
	// doubled or swapped with its neighbour ("telgram", "snapcaht").
	for app, name := range typoNames {
		for _, v := range typos(name) {
			if _, taken := wordInfo[v]; !taken && !stopSetRaw[v] {
				add(app, []string{v}, false, false)
			}
		}
	}
	for app, words := range weakNames {
		add(app, words, false, true)
	}
	for w := range wordInfo {
		if !isASCIIWord(w) {
			nonASCII = append(nonASCII, w)
		}
	}
	sort.Strings(nonASCII)
	contactSet = normSet(contactWords)
	possessive = normSet(possessiveWords)
	copulaSet = normSet(copulaWords)
	sepWordSet = normSet(separatorWords)
	labelSet = normSet(append(append([]string{}, separatorWords...), copulaWords...))
	stopSet = normSet(stopWords)
	// A handle is compared after light folding (no leetspeak), so stop
	// words are kept in that form too: Russian "тот" reads as "tot".
	for _, w := range stopWords {
		stopSet[string(normalize.AppendLight(nil, w, false))] = true
	}
	for _, ws := range [][]string{contactWords, possessiveWords, copulaWords, separatorWords} {
		for _, w := range ws {
			stopSet[norm(w)] = true
		}
	}
	initScore()
	lexicon = buildLexicon()
	addFuzzy(lexicon)
	spacedNames = buildSpacedNames()
	shortSpacedNames = buildShortSpacedNames()
}

// IsContactWord reports whether the normalised word w only says how to
// reach someone: an app word, or a word of the contact grammar (a label,
// a separator word, a contact verb, a possessive, a copula, a preposition,
// a joiner, an object pronoun, a spelled '@'). A post of nothing but such
// words and its contacts says nothing a finding could rest on.
func IsContactWord(w string) bool {
	if _, ok := wordInfo[w]; ok {
		return true
	}
	return contactSet[w] || labelSet[w] || possessive[w] || prepWords[w] || joinerWords[w] || objectPronouns[w] || atWords[w]
}

func normSet(words []string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[norm(w)] = true
	}
	return m
}

func isASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// AppWords returns app names, abbreviations and misspellings in normalised
// form, each mapped to its app, so the core can give a bare app mention
// ("hmu on wickr") a contact-invitation weight. It includes ambiguous words
// ("signal", "line", "snap", "tg"); AppWordList tells them apart. Two-word
// names ("snap chat") are keyed with their single space.
func AppWords() map[string]string {
	m := make(map[string]string, len(wordInfo)+len(phraseInfo))
	for w, info := range wordInfo {
		m[w] = info.app
	}
	for w, info := range phraseInfo {
		m[w] = info.app
	}
	return m
}

// AppWordList returns every app word with its ambiguity, sorted by word.
func AppWordList() []AppWord {
	var list []AppWord
	for w, info := range wordInfo {
		list = append(list, AppWord{Word: w, App: info.app, Ambiguous: info.ambiguous, Weak: info.weak})
	}
	for w, info := range phraseInfo {
		list = append(list, AppWord{Word: w, App: info.app, Ambiguous: info.ambiguous, Weak: info.weak})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Word < list[j].Word })
	return list
}
