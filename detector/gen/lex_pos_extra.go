package gen

// Solicitation shapes of each language's own: word orders and idioms the
// shared shapes do not have.
var posExtra = map[string]lexicon{
	"en": {
		"T:pos.offer.sell":   {"who wants {mg}? {contact}", "got what you need: {mg} {emo} {contact}", "{mg} going cheap, {cta} {contact}"},
		"T:pos.request.buy":  {"need {mg} asap, {pay} {contact}", "anyone selling {mg}? {contact}"},
		"T:pos.offer.trade":  {"my {mg} for yours, {contact}", "let's swap {mg}, {contact}"},
		"T:pos.group.invite": {"link to the {group} with {mg} {link}", "come in, {mg} shared daily {link}"},
		"T:pos.coded.token":  {"all {coded} here {contact}", "{coded} {age} {sell2} {contact}"},
		"T:pos.handle.first": {"{contact} for the {mg}"},
		"T:pos.split.lines":  {"{mg}\n{price}\n{contact}"},
		"T:pos.age.claim":    {"only {age} {goods} {contact}", "{age} only. {goods}. {contact}"},
		"T:pos.hashtags":     {"{contact} {hashtags} {hashtags}"},
		"T:pos.coded.food":   {"who likes {foodcode}? {contact}"},
		"T:pos.emoji.code":   {"{emo_minor} {emo_minor} {emo_goods} for sale {contact}"},
		"T:pos.two.apps":     {"{mg}, {twoapps}"},
		"T:pos.offer.menu":   {"ask for the {menu}: {mg} {contact}"},
	},
	"es": {
		"T:pos.offer.sell":   {"¿quién quiere {mg}? {contact}", "tengo lo que buscas: {mg} {emo} {contact}", "{mg} a precio de risa, {cta} {contact}"},
		"T:pos.request.buy":  {"necesito {mg} ya, {pay} {contact}", "¿alguien vende {mg}? {contact}"},
		"T:pos.offer.trade":  {"mis {goods} por los tuyos, {mg}, {contact}"},
		"T:pos.group.invite": {"enlace al {group} con {mg} {link}", "pasen, {mg} todos los días {link}"},
		"T:pos.coded.token":  {"todo {coded} aquí {contact}"},
		"T:pos.age.claim":    {"solo {age}. {goods}. {contact}"},
	},
	"pt": {
		"T:pos.offer.sell":   {"quem quer {mg}? {contact}", "tenho o que você procura: {mg} {emo} {contact}", "{mg} baratinho, {cta} {contact}"},
		"T:pos.request.buy":  {"preciso de {mg} urgente, {pay} {contact}", "alguém vende {mg}? {contact}"},
		"T:pos.group.invite": {"link do {group} com {mg} {link}", "entra aí, {mg} todo dia {link}"},
		"T:pos.coded.token":  {"tudo {coded} aqui {contact}"},
		"T:pos.age.claim":    {"só {age}. {goods}. {contact}"},
	},
	"de": {
		"T:pos.offer.sell":   {"wer will {mg}? {contact}", "hab was ihr sucht: {mg} {emo} {contact}", "{mg} für kleines geld, {cta} {contact}"},
		"T:pos.request.buy":  {"brauche sofort {mg}, {pay} {contact}", "verkauft jemand {mg}? {contact}"},
		"T:pos.offer.trade":  {"meine {goods} gegen eure, {mg}, {contact}"},
		"T:pos.group.invite": {"link zur {group} mit {mg} {link}", "kommt rein, täglich {mg} {link}"},
		"T:pos.coded.token":  {"alles {coded} hier {contact}"},
		"T:pos.age.claim":    {"nur {age}. {goods}. {contact}", "{gcompound}, alle {age} {contact}"},
	},
	"fr": {
		"T:pos.offer.sell":   {"qui veut des {mg} ? {contact}", "j'ai ce que tu cherches : {mg} {emo} {contact}", "{mg} à prix cassé, {cta} {contact}"},
		"T:pos.request.buy":  {"besoin de {mg} vite, {pay} {contact}", "quelqu'un vend des {mg} ? {contact}"},
		"T:pos.group.invite": {"lien du {group} avec {mg} {link}", "entrez, {mg} tous les jours {link}"},
		"T:pos.coded.token":  {"que du {coded} ici {contact}"},
		"T:pos.age.claim":    {"que des {age}. {goods}. {contact}"},
	},
	"it": {
		"T:pos.offer.sell":   {"chi vuole {mg}? {contact}", "ho quello che cerchi: {mg} {emo} {contact}", "{mg} a prezzo stracciato, {cta} {contact}"},
		"T:pos.request.buy":  {"mi servono subito {mg}, {pay} {contact}", "qualcuno vende {mg}? {contact}"},
		"T:pos.group.invite": {"link al {group} con {mg} {link}", "entrate, {mg} ogni giorno {link}"},
		"T:pos.coded.token":  {"tutto {coded} qui {contact}"},
		"T:pos.age.claim":    {"solo {age}. {goods}. {contact}"},
	},
	"nl": {
		"T:pos.offer.sell":   {"wie wil {mg}? {contact}", "heb wat je zoekt: {mg} {emo} {contact}", "{mg} voor een prikkie, {cta} {contact}"},
		"T:pos.request.buy":  {"zoek dringend {mg}, {pay} {contact}", "verkoopt iemand {mg}? {contact}"},
		"T:pos.group.invite": {"link naar de {group} met {mg} {link}", "kom binnen, elke dag {mg} {link}"},
		"T:pos.coded.token":  {"alles {coded} hier {contact}"},
		"T:pos.age.claim":    {"alleen {age}. {goods}. {contact}", "{nlcompound}, allemaal {age} {contact}"},
	},
	"ru": {
		"T:pos.offer.sell":   {"кому {mg}? {contact}", "есть то, что ищешь: {mg} {emo} {contact}", "{mg} по дешёвке, {cta} {contact}"},
		"T:pos.request.buy":  {"срочно нужны {mg}, {pay} {contact}", "кто продаст {mg}? {contact}"},
		"T:pos.group.invite": {"ссылка на {group} с {minor_inst} {link}", "заходите, {mg} каждый день {link}"},
		"T:pos.coded.token":  {"только {coded} тут {contact}"},
		"T:pos.age.claim":    {"только {age}. {goods}. {contact}"},
	},
	"pl": {
		"T:pos.offer.sell":   {"kto chce {mg}? {contact}", "mam to, czego szukasz: {mg} {emo} {contact}", "{mg} za grosze, {cta} {contact}"},
		"T:pos.request.buy":  {"pilnie potrzebuję {mg}, {pay} {contact}", "ktoś sprzeda {mg}? {contact}"},
		"T:pos.group.invite": {"link do grupy z {minor_inst} {link}", "wbijajcie, {mg} codziennie {link}"},
		"T:pos.age.claim":    {"tylko {age}. {goods}. {contact}"},
	},
	"tr": {
		"T:pos.offer.sell":   {"{mg} isteyen? {contact}", "aradığın bende: {mg} {emo} {contact}", "{mg} çok ucuz, {cta} {contact}"},
		"T:pos.request.buy":  {"acil {mg} lazım, {pay} {contact}", "{mg} satan var mı? {contact}"},
		"T:pos.group.invite": {"{mg} paylaşılan {group} linki {link}", "gelin, her gün {mg} {link}"},
		"T:pos.age.claim":    {"sadece {age}. {goods}. {contact}"},
	},
}
