package handles

import (
	"math"
	"strings"

	"github.com/handlewatch/handlewatch/detector/normalize"
)

// MinConfidence is the confidence from which a candidate is a handle:
// Extract returns the candidates at or above it, Candidates all of them.
const MinConfidence = 0.5

// Confidences of the candidates whose form is its own evidence.
const (
	confLink     = 0.99 // a link or URI of the app
	confChecked  = 0.97 // an ID with a checksum or a fixed prefix (Tox, Session, Briar)
	confID       = 0.9  // an ID shape next to its app word, a bare Matrix ID
	confIDLetter = 0.7  // a lowercase all-letter Threema or TeleGuard ID after a clear separator
	confIDFar    = 0.75 // an ID shape introduced by a label, far from its app word
	confPhone    = 0.9  // an E.164 number after its app word
	confNational = 0.75 // a national number (no country code) after its app word, read by its shape
	confBot      = 0.8  // an '@' name ending in "bot": only Telegram has those
	confNamedApp = 0.7  // an '@' name in a post that names Telegram elsewhere
)

// features describe a username candidate for the scorer.
type features struct {
	at      bool // written with '@'
	shaped  bool // has a digit, '_' or '.'
	strong  bool // strongShape: letters with a digit or '_', five bytes or more
	dict    bool // a common word of one of the supported languages
	sep     bool // a clear separator or a label word introduced it
	label   bool // a label word ("username", "id", "usuario") introduced it
	contact bool // a contact phrase ("add me on …") led to the app word
	me      bool // "<app> me x"
	fuzzy   bool // the app word was matched at edit distance 1
	amb     bool // the app word is also an ordinary word ("signal", "snap")
	loose   bool // found a few words on, not right after a separator
	dist    int  // words between the app word and the candidate
	prose   bool // a plain word followed by a function word: "kik login loop again"
	warning bool // named by a warning: "beware: x", "x is a scammer"
	// bare: a plain word with no separator, set off after a sure app word
	// by a dash or a line break ("ᴡɪᴄᴋʀ name — …").
	bare bool
	// title: a plain word capitalised like a noun, eight letters or more
	// ("Snapchat: Aktienabsturz").
	title bool
}

// Weights of the scorer: a logistic model, hand-set on the project's
// corpora so that the decisions of the rules it replaced stay, and so that
// a word of prose after an app word ("Kik login loop", "telegram: beware
// of fakes") or a name a warning gives falls below MinConfidence.
const (
	wBias    = -0.5
	wShaped  = 1.5
	wStrong  = 1.0 // on top of wShaped
	wAt      = 1.5
	wSep     = 1.5
	wLabel   = 0.3
	wContact = 1.2
	wMe      = 1.0
	wDict    = -3.5
	wFuzzy   = -0.4
	wAmb     = -0.3
	wLoose   = -0.3
	wDist    = -0.05 // per word
	wProse   = -1.2
	wWarning = -6.0
	wBare    = 1.1
	wTitle   = -1.2
)

// score returns the confidence of a username candidate and the reasons
// that weighed most, in words a moderator reads.
func (f features) score() (float64, string) {
	z := wBias
	switch {
	case f.sep && f.label:
		z += wSep + wLabel
	case f.sep:
		z += wSep
	}
	if f.contact {
		z += wContact
	}
	if f.me {
		z += wMe
	}
	if f.at {
		z += wAt
	}
	switch {
	case f.strong:
		z += wShaped + wStrong
	case f.shaped:
		z += wShaped
	}
	if f.dict {
		z += wDict
	}
	if f.bare {
		z += wBare
	}
	if f.fuzzy {
		z += wFuzzy
	}
	if f.amb {
		z += wAmb
	}
	if f.loose {
		z += wLoose
	}
	z += wDist * float64(f.dist)
	if f.prose {
		z += wProse
	}
	if f.warning {
		z += wWarning
	}
	if f.title {
		z += wTitle
	}
	return sigmoid(z), whyTable[f.whyKey()]
}

// The reasons a score names, in the order Why lists them; whyTable holds
// every combination, so that a match costs no string building.
const (
	whySep = 1 << iota
	whyLabel
	whyContact
	whyMe
	whyAt
	whyStrong
	whyShaped
	whyDict
	whyPlain
	whyBare
	whyFuzzy
	whyProse
	whyWarning
	whyTitle
	whyCount = iota
)

var whyNotes = [whyCount]string{"separator next to the app word", "label word before", "contact phrase", `"<app> me"`,
	"written with @", "handle-shaped token", "token with a digit, '_' or '.'", "a dictionary word",
	"not a dictionary word", "set off by a dash or a line break", "app name misspelt", "prose goes on after it",
	"named in a warning", "capitalised like a noun"}

func (f features) whyKey() int {
	k := 0
	set := func(b bool, bit int) {
		if b {
			k |= bit
		}
	}
	set(f.sep && f.label, whyLabel)
	set(f.sep && !f.label, whySep)
	set(f.contact, whyContact)
	set(f.me, whyMe)
	set(f.at, whyAt)
	set(f.strong, whyStrong)
	set(f.shaped && !f.strong, whyShaped)
	set(f.dict, whyDict)
	set(!f.dict && !f.shaped && !f.at, whyPlain)
	set(f.bare, whyBare)
	set(f.fuzzy, whyFuzzy)
	set(f.prose, whyProse)
	set(f.warning, whyWarning)
	set(f.title, whyTitle)
	return k
}

var whyTable = func() []string {
	t := make([]string, 1<<whyCount)
	var parts []string
	for k := range t {
		parts = parts[:0]
		for i, note := range whyNotes {
			if k&(1<<i) != 0 {
				parts = append(parts, note)
			}
		}
		t[k] = strings.Join(parts, ", ")
	}
	return t
}()

func sigmoid(z float64) float64 { return math.Round(1/(1+math.Exp(-z))*1000) / 1000 }

// commonWords are words of the supported languages that follow an app name
// used as a noun or stand in commentary next to it ("Kik login loop",
// "telegram: beware", "snap streak lost"): a plain word among them is not
// a handle. The stop words count too.
var commonWords = strings.Fields(`
	loop loops crash crashes crashed crashing bug bugs buggy glitch glitches issue issues problem
	problems error errors outage lag lagging laggy slow fast keeps keep kept sucks suck sucked
	broke breaks fix fixed fixes dark mode theme themes backup backups password passwords
	verification verify verified cloud folder folders sticker stickers emoji emojis gif gifs reel
	reels memories spotlight request requests stars gift gifts people safety parent parents kid kids
	teen teens child children policy law laws news article data leak leaks hack hacker phishing
	spam spammer spammers scam scams scammer scammers fake fakes fraud fraudster beware warning
	warnings careful avoid report reports blocked block ban bans banned suspended suspension
	http https www
	love like likes good great nice cool fun funny awesome amazing best worst better worse terrible
	horrible weird strange fine okay alright sure true false real really thing things stuff lot lots
	again anymore forever sometimes often usually everyday everything nothing somebody something
	today yesterday tonight morning evening night week month year
	talk talking chat chatting call calling text texting send sending post posting posts share
	sharing open opened opening close closed sign signed signing log logged logging loading load
	notification notifications message messages friend friends contact contacts online offline
	group groups channel channels community communities server servers room rooms thread threads
	bot bots feed page pages photo photos pic pics picture pictures video videos voice sound audio
	music song songs game games gaming meme memes joke jokes question questions answer answers
	help support team staff admin admins mod mods moderator moderators owner rules
	estafa estafas estafador estafadores cuidado falso falsa falsos problema problemas fallo caido
	caida canal canales mensaje mensajes ojo bueno buena malo mala gente amigo amigos
	golpe golpes golpista golpistas erro caiu mensagem mensagens gente amigos bom boa ruim
	betrug betruger vorsicht achtung warnung fehler kanal kanale nachricht nachrichten gut schlecht
	leute freund freunde kinder kindern jugendliche eltern
	arnaque arnaques arnaqueur arnaqueurs attention faux fausse probleme erreur groupe message
	messages bien mal gens ami amis
	truffa truffe truffatore truffatori attenzione errore canale canali gruppo gruppi messaggio
	messaggi buono cattivo amico amici
	oplichter oplichters oplichting nep probleem fout kanaal groep bericht berichten goed slecht
	mensen vriend vrienden waarschuwing
	мошенник мошенники осторожно развод фейк канал группа сообщение сообщения проблема ошибка
	кидала кидалы друг друзья
	kinderen ouders ninos ninas criancas enfants bambini dzieci cocuklar cocuk anak anak-anak дети детей
	uzerinden araciligiyla adli adinda veren`)

// warningWords make the name they introduce or describe someone warned
// about, not a contact offered ("beware: x", "x is a scammer").
var warningWords = strings.Fields(`
	beware warning warn careful avoid scam scammer scammers fake fraud fraudster reported report
	blocked block banned
	cuidado ojo estafa estafador estafadora evita evitar evitad denunciado denunciada falso falsa
	golpe golpista evite denuncie denunciado
	vorsicht achtung warnung betrug betruger meidet meiden
	attention arnaque arnaqueur mefiez mefiance evitez signale
	attenzione truffa truffatore evitate segnalato
	oplichter oplichting waarschuwing nep vermijd
	осторожно мошенник мошенница развод кидала фейк`)

var (
	commonSet  map[string]bool
	warningSet map[string]bool
)

// initScore runs after the word lists are normalised (words.go init).
func initScore() {
	commonSet = lightSet(commonWords)
	for w := range stopSet {
		commonSet[w] = true
	}
	warningSet = lightSet(warningWords)
}

// lightSet holds words in Norm form and in the light folding a handle
// candidate is compared in.
func lightSet(words []string) map[string]bool {
	m := make(map[string]bool, 2*len(words))
	for _, w := range words {
		m[norm(w)] = true
		m[string(normalize.AppendLight(nil, w, false))] = true
	}
	return m
}
