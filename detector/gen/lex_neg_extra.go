package gen

// Hard negatives of each language that share the most words with the ads:
// photos of one's own children, school photo packages, team pictures,
// "young" and "collection" in their ordinary senses.
var negExtra = map[string]lexicon{
	"en": {
		"T:neg.app.review": {"{app} notifications stopped after the update, any fix?", "{app} web keeps logging me out"},
		"T:neg.parenting.school": {
			"pics of the kids from the birthday party are in the album: {link}",
			"school photo packages for {grade} on sale until friday, order via {contact}",
			"sharing the class photos from the trip, ask me for the folder {emo_minor}",
			"our little ones' nativity play videos, link for family only {link}",
		},
		"T:neg.sport.youth":      {"team photos of the {team} are up, parents can download the pack {link}"},
		"T:neg.chat.ordinary":    {"sent you the pics of the kids at the beach 😍 {contact}"},
		"T:neg.community.invite": {"young parents group, swap baby clothes and tips {link}"},
	},
	"es": {
		"T:neg.app.review": {"{app} no me deja iniciar sesión desde la actualización", "las notificaciones de {app} no llegan, ¿solución?"},
		"adultgoods":       {"contenido", "fotos", "sets", "vídeos", "suscripciones", "sesiones", "packs"},
		"T:neg.parenting.school": {
			"las fotos de los niños en el cumple están en el álbum: {link}",
			"packs de fotos escolares de {grade} a la venta hasta el viernes, pedidos {contact}",
			"os paso los vídeos de la función de los peques, solo familia {link}",
		},
		"T:neg.sport.youth":   {"fotos del equipo {team} ya disponibles, los padres pueden descargar el pack {link}"},
		"T:neg.chat.ordinary": {"te mandé las fotos de los niños en la playa 😍 {contact}"},
	},
	"pt": {
		"T:neg.app.review": {"{app} não deixa fazer login desde a atualização", "as notificações do {app} pararam, alguma solução?"},
		"adultgoods":       {"conteúdo", "fotos", "sets", "vídeos", "assinaturas", "ensaios", "packs"},
		"T:neg.parenting.school": {
			"as fotos das crianças no aniversário estão no álbum: {link}",
			"pacotes de fotos da escola do {grade} à venda até sexta, pedidos {contact}",
			"vídeos da apresentação dos pequenos, só pra família {link}",
		},
		"T:neg.sport.youth":   {"fotos do time {team} no ar, os pais podem baixar o pacote {link}"},
		"T:neg.chat.ordinary": {"te mandei as fotos das crianças na praia 😍 {contact}"},
	},
	"de": {
		"T:neg.app.review": {"{app} login geht seit dem update nicht mehr", "benachrichtigungen von {app} kommen nicht an, lösung?"},
		"adultgoods":       {"content", "bilder", "sets", "videos", "abos", "shootings", "pakete"},
		"T:neg.parenting.school": {
			"die kinderfotos vom geburtstag sind im album: {link}",
			"schulfoto-pakete der {grade} noch bis freitag bestellbar, {contact}",
			"videos vom krippenspiel der kleinen, nur für die familie {link}",
			"kinderbilder vom ausflug liegen im ordner, fragt mich nach dem link {emo_minor}",
		},
		"T:neg.sport.youth":   {"mannschaftsfotos der {team} sind online, eltern können das paket laden {link}"},
		"T:neg.chat.ordinary": {"hab dir die bilder von den kids am strand geschickt 😍 {contact}"},
	},
	"fr": {
		"T:neg.app.review": {"impossible de me connecter à {app} depuis la mise à jour", "les notifications {app} n'arrivent plus, une solution ?"},
		"adultgoods":       {"contenus", "photos", "sets", "vidéos", "abonnements", "shootings", "packs"},
		"T:neg.parenting.school": {
			"les photos des enfants à l'anniversaire sont dans l'album : {link}",
			"pochettes de photos scolaires de {grade} en vente jusqu'à vendredi, commande {contact}",
			"les vidéos du spectacle des petits, réservé à la famille {link}",
		},
		"T:neg.sport.youth":   {"les photos d'équipe des {team} sont en ligne, les parents peuvent télécharger le pack {link}"},
		"T:neg.chat.ordinary": {"je t'ai envoyé les photos des enfants à la plage 😍 {contact}"},
	},
	"it": {
		"T:neg.app.review": {"{app} non mi fa fare il login dopo l'aggiornamento", "le notifiche di {app} non arrivano, soluzioni?"},
		"adultgoods":       {"contenuti", "foto", "set", "video", "abbonamenti", "shooting", "pacchetti"},
		"T:neg.parenting.school": {
			"le foto dei bambini alla festa sono nell'album: {link}",
			"pacchetti di foto di classe della {grade} in vendita fino a venerdì, ordini {contact}",
			"i video della recita dei piccoli, solo per la famiglia {link}",
		},
		"T:neg.sport.youth":   {"foto di squadra degli {team} online, i genitori possono scaricare il pacchetto {link}"},
		"T:neg.chat.ordinary": {"ti ho mandato le foto dei bimbi al mare 😍 {contact}"},
	},
	"nl": {
		"T:neg.app.review": {"{app} inloggen lukt niet meer sinds de update", "meldingen van {app} komen niet binnen, oplossing?"},
		"adultgoods":       {"content", "foto's", "sets", "video's", "abonnementen", "shoots", "pakketten"},
		"T:neg.parenting.school": {
			"de foto's van de kinderen op het verjaardagsfeest staan in het album: {link}",
			"schoolfotopakketten van {grade} te bestellen tot vrijdag, {contact}",
			"de filmpjes van de musical van de kleintjes, alleen voor familie {link}",
		},
		"T:neg.sport.youth":   {"teamfoto's van de {team} staan online, ouders kunnen het pakket downloaden {link}"},
		"T:neg.chat.ordinary": {"heb je de foto's van de kids op het strand gestuurd 😍 {contact}"},
	},
	"ru": {
		"T:neg.app.review": {"{app} не пускает войти после обновления", "уведомления {app} не приходят, как починить?"},
		"adultgoods":       {"контент", "фото", "сеты", "видео", "подписки", "фотосессии", "паки"},
		"T:neg.parenting.school": {
			"фото детей с дня рождения в альбоме: {link}",
			"школьные фотоальбомы для {grade} можно заказать до пятницы, {contact}",
			"видео с утренника малышей, только для родных {link}",
		},
		"T:neg.sport.youth":   {"командные фото {team} выложены, родители могут скачать архив {link}"},
		"T:neg.chat.ordinary": {"скинула тебе фотки детей на пляже 😍 {contact}"},
	},
	"pl": {
		"T:neg.app.review": {"{app} nie daje się zalogować od aktualizacji", "powiadomienia z {app} nie przychodzą, jakieś rozwiązanie?"},
		"adultgoods":       {"treści", "zdjęcia", "sesje", "filmy", "subskrypcje", "paczki"},
		"T:neg.parenting.school": {
			"zdjęcia dzieci z urodzin są w albumie: {link}",
			"pakiety zdjęć szkolnych dla {grade} do zamówienia do piątku, {contact}",
			"filmiki z jasełek maluchów, tylko dla rodziny {link}",
		},
		"T:neg.sport.youth":   {"zdjęcia drużyny {team} już są, rodzice mogą pobrać paczkę {link}"},
		"T:neg.chat.ordinary": {"wysłałam ci zdjęcia dzieci na plaży 😍 {contact}"},
	},
	"tr": {
		"T:neg.app.review": {"güncellemeden beri {app} giriş yapmıyor", "{app} bildirimleri gelmiyor, çözüm?"},
		"adultgoods":       {"içerik", "fotoğraflar", "setler", "videolar", "abonelikler", "çekimler", "paketler"},
		"T:neg.parenting.school": {
			"doğum günündeki çocukların fotoğrafları albümde: {link}",
			"okul fotoğraf paketleri cumaya kadar sipariş edilebilir, {contact}",
			"küçüklerin gösteri videoları, sadece aile için {link}",
		},
		"T:neg.sport.youth":   {"{team} takım fotoğrafları yüklendi, veliler paketi indirebilir {link}"},
		"T:neg.chat.ordinary": {"çocukların plaj fotoğraflarını attım 😍 {contact}"},
	},
}
