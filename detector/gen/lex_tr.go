package gen

func init() {
	register("tr", lexicon{
		"sell": {"satıyorum", "satılık:", "elimde var", "var", "paylaşıyorum", "yeni parti:", "uygun fiyata", "satışta:",
			"elden çıkarıyorum", "satıyoruz", "taze geldi:", "erişim:", "veriyorum"},
		"sell2":     {"satılık", "mevcut", "ucuz", "hemen gönderilir", "anında teslim", "herkese", "hâlâ var", "hızlı gidiyor"},
		"trade":     {"takas", "takaslarım", "takas ederim", "değişirim", "takas yapılır", "takaslık"},
		"tradeonly": {"sadece takas", "satmıyorum", "bire bir takas", "sadece ciddi olanlar", "satıcı yok"},
		"tradefor":  {"karşılığında", "ile takas", "yerine", "sizinkilerle"},
		"request":   {"arıyorum", "alırım", "istiyorum", "lazım", "kimde var", "öderim", "acil alırım", "kim satar", "satın alırım"},
		"whohas":    {"kimde var", "olan var mı", "nerede bulurum", "kim satıyor", "atan var mı", "elinde olan"},
		"pay":       {"iyi öderim", "btc ile öderim", "papara olur", "peşin öderim", "iyi fiyat", "kripto ile öderim"},
		"goods": {"içerik", "koleksiyon", "fotoğraflar", "fotolar", "videolar", "linkler", "klasörler", "paketler", "menü",
			"arşiv", "dosyalar", "albümler", "mega", "drive", "şeyler", "klasör", "paket", "cp", "galeri"},
		"minor": {"küçük", "genç", "çocuk", "liseli", "ortaokullu", "minik", "reşit olmayan", "yeğen", "üvey kız",
			"üvey kardeş", "bebek", "ilkokullu", "çok genç", "küçük kız", "ufak", "körpe"},
		"minor_n": {"çocuklar", "kızlar", "erkek çocuklar", "liseliler", "ortaokullular", "minikler", "yeğenler", "bebekler",
			"öğrenciler", "küçükler", "ufaklıklar", "gençler"},
		"mg": {"{minor} {goods}", "{minor} {goods}", "{minor_gen} {goods}", "{goods} ({age})", "{age} {goods}",
			"{minor} {goods} {age}", "{minor_n} {age}", "{emo_minor} {minor} {goods}"},
		// Genitive, as in "çocukların videoları".
		"minor_gen": {"çocukların", "küçük kızların", "liselilerin", "ortaokulluların", "yeğenlerin", "miniklerin", "öğrencilerin"},
		"new":       {"yeni", "taze", "özel", "en yeni", "yeni geldi:", "yeni seri"},
		"menu":      {"menü", "fiyat listesi", "fiyatlar", "katalog", "tam liste", "liste"},
		"menu2":     {"menü dm'de", "fiyatlar özelden", "katalog bio'da", "liste istek üzerine", "tam menü"},
		"pricehint": {"ucuz", "klasörü 200 TL", "fiyatlar dm", "toplu indirim", "sadece btc", "ilki bedava"},
		"deco": {"🔥", "limitsiz", "hızlı teslimat", "%100 gerçek", "onaylı satıcı", "fake yok", "sadece ciddi olanlar",
			"herkese satarım", "her gün yeni", "gizlilik", "💯", "hepsi yeni", "#nolimits"},
		"cta": {"yaz", "dm", "özelden", "ekle", "iletişim", "bilgi için", "sor", "sipariş için", "mesaj at"},
		"groupinv": {"takas grubumuza katıl:", "yeni grup:", "kanal açık:", "davet linki:", "gruba gel,", "özel grup:",
			"paylaşım grubu:", "kanalımızda"},
		"group": {"grup", "kanal", "takas grubu", "oda", "sunucu", "sohbet", "özel grup", "vip kanal"},
		"coded": {"pthc", "ptsc", "cp", "c.p", "🧀🍕", "#t33n", "limitsiz", "#nolimits", "kdquality", "peynirli pizza",
			"c p", "#caldodepollo", "herkese satarım"},
		"foodcode": {"peynirli pizza", "taze peynirli pizza", "küçük pizzalar", "taze peynir", "tavuk suyu", "caldo de pollo"},
		"hashtags": {"#t33n #nolimits", "#pthc", "#cp #takas", "#liseli #link", "#caldodepollo", "#limitsiz", "#ptsc"},
		"tail":     {"🔥", "limitsiz", "dm", "🔥🔥", "sadece ciddi olanlar", "😈", "💯"},

		"cinv":     {"beni ekle", "yaz bana", "ulaş:", "iletişim", "dm at", "buradayım:", "bul beni", "sadece", "mesaj at", "daha fazlası"},
		"cinvlink": {"katıl:", "link:", "burada:", "👉", "gir:", "davet:", "👇"},
		"on":       {"üzerinden", "@", "-"},
		"idlabel":  {"id", "kullanıcı adı", "nick", "numara", "hesap", "ad"},
		"twoapps": {"{A} veya {B}, ikisinde de: {H}", "{A} / {B}: {H}", "{H} {A} veya {B}", "{A} ve {B} aynı ad {H}",
			"{A} ve {B} aynı nick: {H}", "{A} ya da {B} {H}"},

		"agef": {"{N}", "{N} yaş", "{N}y", "{N} yaşında", "{N} yaş altı", "{N}-{M} yaş", "{N} ve {M}", "({N})", "{N} ve altı",
			"{W} yaşında", "{N}yo", "u{N}", "{N}&{M}", "{N}-{M}", "{N} yaşındaki"},
		"numw": {"sıfır", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz", "on", "on bir", "on iki", "on üç",
			"on dört", "on beş", "on altı", "on yedi", "on sekiz", "on dokuz", "yirmi", "yirmi bir", "yirmi iki", "yirmi üç",
			"yirmi dört", "yirmi beş"},
		"price": {"{bignum} TL", "₺{bignum}", "{bignum} TL pazarlık olur", "{num}$", "{num}€"},

		"T:neg.adult.only": {
			"sadece {adults} için {adultw} içerik {adultmark}. {contact}",
			"{adultmark} model, {age}, {adultver}. {contact}",
			"yeni {adultw} fotoğraflar, {adultmark}, {adultver}. {contact}",
		},
		"adultw":    {"ateşli", "seksi", "erotik", "cesur", "iç çamaşırı", "sıcak"},
		"adults":    {"yetişkinler", "reşit olanlar", "18 yaş üstü", "onaylı yetişkinler"},
		"adultmark": {"18+", "🔞", "sadece 18+", "(18+)", "21+"},
		"adultver":  {"yaş doğrulandı", "tüm modeller 18+", "kimlik kontrol edildi", "reşit olmayan yok", "yaş kontrolü"},

		"T:neg.parenting.school": {
			"kızım ({age}) haftaya {grade} başlıyor, ilk gün için tavsiye? {emo_minor}",
			"{grade} velileri: sınıf grubu {app} üzerinde, linki öğretmenden isteyin",
			"veli toplantısı perşembe saat {hour24}:00, sorular {contact}",
			"okula servis arkadaşı arıyorum, {grade}, yazın {contact}",
		},
		"grade": {"1. sınıfa", "anaokuluna", "kreşe", "4. sınıfa", "ortaokula", "ana sınıfına"},

		"T:neg.sport.youth": {
			"{team} seçmeleri cumartesi saat {hour24}:00, antrenör: {contact}",
			"{team} takımımız 3-1 kazandı {emo}, çocuklarla gurur duyuyoruz!",
			"{team} kaleci arıyor, {year} doğumlu, sorular {contact}",
			"{age} yaş çocuklar için yaz kampı: futbol, yüzme, tırmanış. kayıt {contact}",
		},
		"team": {"U{num}", "U11", "minikler", "yıldızlar", "U13 kızlar", "altyapı", "küçükler"},

		"T:neg.babysitting.tutoring": {
			"deneyimli bebek bakıcısı, ilk yardım sertifikalı, {age} yaş çocuklar, akşam ve hafta sonu. {contact}",
			"{grade} için matematik özel ders, saati {price}. {contact}",
			"küçüklere bakarım {emo_minor}, referanslı, {contact}",
		},
		"T:neg.marketplace.kids": {
			"satılık {kiditem}, {age}, {cond}, {price}. {contact}",
			"{kiditem}, beden {kidsize}, {cond}, {price}, {pickup}. {contact}",
			"{kiditem} paketi, beden {kidsize}, {cond}. hepsi {price} {emo_minor} {contact}",
			"{kiditem} ({age}) {price}, {pickup}, {contact}",
		},
		"kiditem": {"çocuk bisikleti", "bebek arabası", "oto koltuğu", "denge bisikleti", "çocuk kıyafetleri", "bebek kıyafetleri",
			"kız çocuk elbisesi", "erkek çocuk pantolonu", "çocuk ayakkabısı", "lego", "çocuk scooter", "mama sandalyesi",
			"bebek beşiği", "okul çantası", "çocuk kitapları", "oyuncak mutfak", "oyuncak ev", "bebek telsizi", "çocuk kaskı", "ranza"},
		"kidsize": {"{age}", "104", "110/116", "128", "140", "5-6 yaş", "24 jant", "20 jant", "30 numara", "9-12 ay"},
		"cond":    {"sıfır gibi", "az kullanılmış", "temiz", "ikinci el", "çok iyi durumda", "hiç kullanılmamış", "kutusunda"},
		"pickup":  {"elden teslim", "kargo olur", "sadece elden", "kargo alıcıya", "Kadıköy"},

		"T:neg.school.uniform": {
			"okul forması, {age}, {cond}, {price} {contact}",
			"{school} forması satılık: ceket, 2 gömlek, etek, beden {age}. {price} {contact}",
			"okul eşofmanı beden {kidsize}, {cond}, {price}. {contact}",
		},
		"school": {"kolej", "Atatürk İlkokulu", "özel okul", "uluslararası okul"},

		"T:neg.marketplace.general": {
			"satılık {mkitem}, {cond}, {price}. {contact}",
			"{mkitem} satılık, {price}, {pickup}. {contact}",
			"bu hafta taze sebze, körpe {produce} de var, sipariş {contact}",
			"gençlik romanı koleksiyonu, 30 kitap, {price}. {contact}",
		},
		"mkitem":  {"koltuk takımı", "iphone 12", "çamaşır makinesi", "dağ bisikleti", "gitar", "çalışma masası", "objektif", "çadır", "laptop"},
		"produce": {"ıspanak", "havuç", "fasulye", "bezelye", "kabak", "sarımsak"},

		"T:neg.pizza.shop": {
			"🍕🧀 bu akşam {pizza} {price}, sipariş {contact}",
			"taze {pizza} {emo}, saat {hour24}:00'a kadar paket servis, {contact}",
			"çocuk menüsü: küçük peynirli pizza + meyve suyu {price}. sipariş {contact}",
			"{order} numaralı sipariş hazır 🍕 sorular {contact}",
		},
		"pizza": {"peynirli pizza", "margarita", "dört peynirli", "calzone", "sucuklu pizza", "sebzeli pizza"},

		"T:neg.crypto.young": {
			"genç proje, büyük potansiyel 🚀 {coin} ön satış, {link}",
			"{coin} trade sinyalleri: bu hafta %{pct}, ücretsiz {link}",
			"yeni genç token {coin}, likidite kilitli, {link}",
		},
		"coin": {"$MOON", "$BABYDOGE", "$NOVA", "$ROKET", "$TEEN"},

		"T:neg.gaming.trade": {
			"satılık {game} hesabı, seviye {num}, {cpword}, {price}. {contact}",
			"{game} skin takası, {skin} karşılığında {skin}, ekle {contact}",
			"{num}k {cpword} satılık, anında teslim, {contact}",
			"cPanel lisansı (CP) yıllık {price}, {contact}",
		},
		"game":   {"Valorant", "CS2", "PUBG Mobile", "Roblox", "Minecraft", "COD Mobile", "LoL", "Brawl Stars"},
		"cpword": {"CP", "CP puan", "COD points", "savaş gücü", "cp"},
		"skin":   {"bıçak", "efsanevi skin", "nadir ifade", "savaş bileti", "eldiven"},

		"T:neg.cp.clubpenguin": {
			"club penguin'i hatırlayan? CP özel sunucusu açık, {link}",
			"CP (club penguin) nostalji 🐧 grup {link}",
		},
		"T:neg.cp.palsy": {
			"serebral palsili (CP) çocukların aileleri için destek grubu, {contact}",
			"kızım ({age}) serebral palsi, fizyoterapi önerisi olan?",
		},
		"T:neg.cards.trade": {
			"pokemon kartı takası, {card} karşılığında {card}, {contact}",
			"kart koleksiyonumu satıyorum, {num} kart, {price}. {contact}",
			"genç koleksiyoncu çift kartları takaslamak istiyor, {card}, {contact}",
		},
		"card": {"charizard", "holo", "yu-gi-oh", "panini çıkartma", "magic", "futbolcu kartları"},

		"T:neg.news.arrest": {
			"{app} üzerinden {contact} adıyla {newsterm} satan {adultnum} yaşındaki şüpheli gözaltına alındı",
			"mahkemede: sanık {app} üzerinde {contact} olarak '{coded}' klasörleri sunmuş",
			"{city} emniyeti: 'liseli klasörleri' ilanı veren kişi {contact} iletişimiyle yakalandı",
		},
		"newsterm": {"çocuk istismarı içerikleri", "müstehcen çocuk görüntüleri", "yasa dışı çocuk görüntüleri", "CSAM"},
		"city":     {"İstanbul", "Ankara", "İzmir", "Bursa", "Antalya", "Adana"},
		"T:neg.police.statement": {
			"emniyet açıklaması: '{coded}' sunan {contact} hesabı bildirildi ve kapatıldı",
			"{contact} üzerinden CSAM yayan {adultnum} yaşındaki kişi yakalandı",
			"dikkat: '{coded}' ve '{age}' gibi kodlar yasa dışı ilanlarda geçiyor. ihbar {contact}",
		},
		"T:neg.safety.advice": {
			"veliler: '{coded}' ve 🧀🍕 istismarcıların kullandığı kodlar. kullanıcı adıyla görürseniz bildirin",
			"ipucu: failler yaşı '{age}' gibi, kelimeleri '{coded}' gibi yazar. bildirin, cevap vermeyin",
			"çocuklarınızla {app} hakkında konuşun: yabancılar özelden yazmak ister. ihbar {contact}",
		},
		"T:neg.scam.warning": {
			"{contact} dolandırıcı, parayı aldı engelledi, dikkat",
			"uyarı: {contact} resmi hesabımız DEĞİL",
			"dikkat: {contact} destek gibi davranıp kod istiyor",
		},
		"T:neg.journalist.tips": {
			"gazeteciyim, {topic} araştırıyorum. güvenli ihbar: {contact}",
			"{topic} hakkında bilginiz mi var? haber merkezimize yazın: {contact}",
			"kaynaklar için kanalımız açık: {contact}. kimliğinizi koruyoruz",
		},
		"topic": {"çocukların internette güvenliği", "belediyede yolsuzluk", "kripto dolandırıcılığı", "kiralar"},
		"T:neg.app.review": {
			"{app} incelemesi: şifreleme iyi, arayüz yavaş. 4/5",
			"{app} uygulamasından {app} uygulamasına geçtim, grup aramaları daha iyi",
			"{app} android 14'te çöküyor, başka olan var mı?",
		},
		"T:neg.chat.ordinary": {
			"selam benim, yeni numara, kaydet: {contact}",
			"telefonu kaybettim, tekrar ekle: {contact}",
			"akşam 8'de yemek? yaz {contact}",
			"tatil grubuna {contact} ekleyin",
		},
		"T:neg.community.invite": {
			"{hobby} topluluğumuza katılın! {link}",
			"{hobby} severler, yeni sunucu {emo} {link}",
			"yerel {hobby} grubu, pazar buluşmaları: {link}",
		},
		"hobby": {"bahçecilik", "örgü", "linux", "fotoğraf", "koşu", "satranç", "kutu oyunu", "anime", "yemek"},
		"T:neg.product.name": {
			"trende {app} çekmiyor",
			"5 numaralı hat yine gecikmeli",
			"atölyenin 3. oturumu saat {hour24}:00'te",
		},
	})
}
