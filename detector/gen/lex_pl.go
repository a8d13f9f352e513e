package gen

func init() {
	register("pl", lexicon{
		"sell": {"sprzedam", "sprzedaję", "mam", "oferuję", "udostępnię", "nowa dostawa:", "na sprzedaż:", "wyprzedaję",
			"oddam tanio", "sprzedajemy", "świeża paczka:", "dostęp do", "puszczę"},
		"sell2":     {"na sprzedaż", "dostępne", "tanio", "wysyłka od ręki", "od ręki", "dla każdego", "jeszcze są", "schodzą szybko"},
		"trade":     {"wymienię", "wymiana", "wymieniam", "zamienię", "chętnie wymienię", "wymiana moich"},
		"tradeonly": {"tylko wymiana", "nie sprzedaję", "wymiana 1 za 1", "tylko poważni", "bez handlarzy"},
		"tradefor":  {"za", "w zamian za", "wymienię na", "za wasze"},
		"request":   {"szukam", "kupię", "chcę", "potrzebuję", "ktoś ma", "zapłacę za", "poszukuję", "pilnie kupię", "kto sprzeda", "wezmę"},
		"whohas":    {"kto ma", "czy ktoś ma", "gdzie znajdę", "kto sprzedaje", "ma ktoś", "kto podeśle"},
		"pay":       {"płacę dobrze", "płacę w btc", "blik od ręki", "płacę z góry", "dobra cena", "płacę kryptowalutą"},
		"goods": {"treści", "kolekcja", "kolekcję", "zdjęcia", "fotki", "filmy", "filmiki", "linki", "foldery", "paczki", "paki",
			"menu", "materiały", "pliki", "albumy", "mega", "dysk", "archiwum", "folder", "paczkę", "cp", "galeria"},
		"minor": {"małolatek", "młodych", "młode", "nastolatek", "dziecięce", "dziewczynek", "chłopców", "uczennic",
			"z podstawówki", "gimbusek", "siostrzenic", "pasierbicy", "przyrodniej siostry", "maluchów", "bardzo młodych",
			"małych", "dzieciaków", "nieletnich", "szkolne", "z ósmej klasy"},
		"minor_n": {"małolaty", "dziewczynki", "chłopcy", "dzieci", "dzieciaki", "nastolatki", "uczennice", "siostrzenice",
			"pasierbice", "maluchy", "nieletnie", "gimbusy", "pierwszoklasistki", "brzdące"},
		"mg": {"{goods} {minor}", "{goods} {minor}", "{minor_n} {goods}", "{goods} ({age})", "{goods} {age}",
			"{goods} {minor} {age}", "{minor_n} {age}", "{goods} z {minor_inst}", "{emo_minor} {goods} {minor}"},
		"minor_inst": {"małolatami", "dziewczynkami", "dziećmi", "nastolatkami", "uczennicami", "maluchami", "siostrzenicami"},
		"new":        {"nowe", "świeże", "ekskluzywne", "najnowsze", "dopiero co:", "nowość:"},
		"menu":       {"menu", "cennik", "ceny", "katalog", "pełna lista", "lista", "oferta"},
		"menu2":      {"menu na priv", "cennik na pw", "katalog w bio", "lista na prośbę", "pełne menu"},
		"pricehint":  {"tanio", "20 zł za folder", "ceny na pw", "rabat hurtowy", "tylko btc", "pierwszy gratis"},
		"deco": {"🔥", "bez limitów", "szybka wysyłka", "100% real", "sprawdzony sprzedawca", "bez fejków", "tylko poważni",
			"sprzedam każdemu", "codziennie nowe", "dyskretnie", "💯", "wszystko nowe", "#nolimits"},
		"cta": {"pisz", "pw", "priv", "dm", "napisz", "dodaj mnie", "kontakt", "info na", "pytaj na", "zamówienia na"},
		"groupinv": {"dołącz do naszej grupy wymiany", "nowa grupa:", "kanał otwarty:", "link zaproszenia:",
			"wbijaj do grupy,", "prywatna grupa z", "grupa do dzielenia się:", "na naszym kanale"},
		"group": {"grupa", "kanał", "grupa wymiany", "pokój", "serwer", "czat", "prywatna grupa", "kanał vip"},
		"coded": {"pthc", "ptsc", "cp", "c.p", "🧀🍕", "#t33n", "bez limitów", "#nolimits", "kdquality", "pizza serowa",
			"c p", "#caldodepollo", "sprzedam każdemu"},
		"foodcode": {"pizza serowa", "pizza z serem", "świeża pizza serowa", "małe pizze", "młody ser", "rosół", "caldo de pollo"},
		"hashtags": {"#t33n #nolimits", "#pthc", "#cp #wymiana", "#małolatki #linki", "#caldodepollo", "#bezlimitów", "#ptsc"},
		"tail":     {"🔥", "bez limitów", "pw", "🔥🔥", "tylko poważni", "😈", "💯"},

		"cinv": {"dodaj mnie na", "pisz na", "napisz na", "kontakt przez", "pw na", "jestem na", "znajdziesz mnie na",
			"tylko na", "wbijaj na", "więcej na", "odezwij się na"},
		"cinvlink": {"dołącz:", "link:", "tutaj:", "👉", "wejdź:", "zaproszenie:", "👇"},
		"on":       {"na", "przez", "@"},
		"idlabel":  {"id", "nick", "login", "nazwa", "numer", "user"},
		"twoapps": {"{A} albo {B}, na obu: {H}", "{A} / {B}: {H}", "{H} na {A} lub {B}", "{A} i {B} ten sam nick {H}",
			"ten sam nick na {A} i {B}: {H}", "{A} lub {B} {H}"},

		"agef": {"{N}", "{N} lat", "{N}l", "{N} latka", "{N}-latki", "poniżej {N}", "do {N} lat", "{N}-{M} lat", "od {N} do {M}",
			"{N} i {M}", "({N})", "{N} i młodsze", "{W} lat", "{N}yo", "u{N}", "{N}&{M}", "{N}-{M}"},
		"numw": {"zero", "jeden", "dwa", "trzy", "cztery", "pięć", "sześć", "siedem", "osiem", "dziewięć", "dziesięć",
			"jedenaście", "dwanaście", "trzynaście", "czternaście", "piętnaście", "szesnaście", "siedemnaście",
			"osiemnaście", "dziewiętnaście", "dwadzieścia", "dwadzieścia jeden", "dwadzieścia dwa", "dwadzieścia trzy",
			"dwadzieścia cztery", "dwadzieścia pięć"},
		"price": {"{num} zł", "{num}zł", "{num} zł do negocjacji", "{num} PLN", "{num}€"},

		"T:neg.adult.only": {
			"{adultw} treści tylko dla {adults} {adultmark}. {contact}",
			"{adultmark} modelka, {age}, {adultver}. {contact}",
			"nowe {adultw} zdjęcia, {adultmark}, {adultver}. {contact}",
		},
		"adultw":    {"pikantne", "zmysłowe", "erotyczne", "odważne", "buduarowe", "gorące"},
		"adults":    {"dorosłych", "pełnoletnich", "osób 18+", "zweryfikowanych dorosłych"},
		"adultmark": {"18+", "🔞", "tylko 18+", "(18+)", "21+"},
		"adultver":  {"wiek zweryfikowany", "wszystkie modelki 18+", "dowód sprawdzony", "żadnych nieletnich", "weryfikacja wieku"},

		"T:neg.parenting.school": {
			"moja {kidrel} ({age}) idzie w przyszłym tygodniu do {grade}, jakieś rady? {emo_minor}",
			"rodzice z {grade}: grupa klasowa jest na {app}, link u wychowawczyni",
			"wywiadówka w czwartek o {hour24}:00, pytania na {contact}",
			"szukam wspólnego dojazdu do szkoły, {grade}, piszcie {contact}",
		},
		"kidrel": {"córka", "mała", "pasierbica", "siostrzenica", "wnuczka", "najmłodsza"},
		"grade":  {"pierwszej klasy", "przedszkola", "zerówki", "czwartej klasy", "żłobka", "ósmej klasy"},

		"T:neg.sport.youth": {
			"nabór do drużyny {team} w sobotę o {hour24}:00, trener: {contact}",
			"nasze {team} wygrały 3:1 {emo}, dumni z dzieciaków!",
			"{team} szukają bramkarza, rocznik {year}, pytajcie {contact}",
			"półkolonie dla dzieci {age}: piłka, basen, wspinaczka. zapisy {contact}",
		},
		"team": {"U{num}", "żaki", "orliki", "młodziki", "trampkarze", "dziewczęta U13", "skrzaty"},

		"T:neg.babysitting.tutoring": {
			"doświadczona niania, kurs pierwszej pomocy, dzieci {age}, wieczory i weekendy. {contact}",
			"korepetycje z matmy dla {grade}, {price}/godz. {contact}",
			"zaopiekuję się maluchami {emo_minor}, referencje, {contact}",
		},
		"T:neg.marketplace.kids": {
			"sprzedam {kiditem} na {age}, {cond}, {price}. {contact}",
			"{kiditem}, rozmiar {kidsize}, {cond}, {price}, {pickup}. {contact}",
			"paczka ubranek: {kiditem}, rozm. {kidsize}, {cond}. {price} za całość {emo_minor} {contact}",
			"{kiditem} ({age}) {price}, {pickup}, {contact}",
		},
		"kiditem": {"rowerek dziecięcy", "wózek", "fotelik samochodowy", "rowerek biegowy", "ubranka dziecięce",
			"ubranka niemowlęce", "sukienki dla dziewczynki", "spodnie dla chłopca", "buty dziecięce", "lego",
			"hulajnoga dziecięca", "krzesełko do karmienia", "łóżeczko", "tornister", "książeczki dla dzieci",
			"kuchnia dla dzieci", "domek dla lalek", "niania elektroniczna", "kask dziecięcy", "łóżko piętrowe"},
		"kidsize": {"{age}", "104", "110/116", "128", "140", "5-6 lat", "24 cale", "20 cali", "rozmiar 30", "74/80"},
		"cond":    {"jak nowy", "mało używany", "dobry stan", "używany", "stan idealny", "nowy", "w pudełku"},
		"pickup":  {"odbiór osobisty", "wysyłka możliwa", "tylko odbiór", "wysyłka OLX", "Warszawa Mokotów"},

		"T:neg.school.uniform": {
			"mundurek szkolny, {age}, {cond}, {price} {contact}",
			"sprzedam mundurek {school}: marynarka, 2 koszule, spódnica, rozm. {age}. {price} {contact}",
			"strój na WF rozmiar {kidsize}, {cond}, {price}. {contact}",
		},
		"school": {"SP nr 5", "liceum", "szkoły katolickiej", "szkoły międzynarodowej"},

		"T:neg.marketplace.general": {
			"sprzedam {mkitem}, {cond}, {price}. {contact}",
			"{mkitem} na sprzedaż, {price}, {pickup}. {contact}",
			"świeże warzywa w tym tygodniu, młode {produce}, zamówienia {contact}",
			"kolekcja powieści młodzieżowych, 30 książek, {price}. {contact}",
		},
		"mkitem":  {"kanapa", "iphone 12", "pralka", "rower górski", "gitara", "biurko", "obiektyw", "namiot", "laptop"},
		"produce": {"ziemniaki", "marchewki", "szparagi", "kapustę", "ogórki", "rzodkiewki"},

		"T:neg.pizza.shop": {
			"🍕🧀 {pizza} za {price} dziś wieczorem, zamów na {contact}",
			"świeża {pizza} {emo}, dowóz do {hour24}:00, {contact}",
			"menu dla dzieci: mała pizza serowa + sok {price}. zamówienia {contact}",
			"zamówienie nr {order} gotowe do odbioru 🍕 pytania {contact}",
		},
		"pizza": {"pizza serowa", "margherita", "cztery sery", "calzone", "capricciosa", "pizza wege"},

		"T:neg.crypto.young": {
			"młody projekt, ogromny potencjał 🚀 przedsprzedaż {coin}, {link}",
			"sygnały tradingowe {coin}: {pct}% w tym tygodniu, za darmo {link}",
			"nowy młody token {coin}, płynność zablokowana, {link}",
		},
		"coin": {"$MOON", "$BABYDOGE", "$NOVA", "$RAKIETA", "$TEEN"},

		"T:neg.gaming.trade": {
			"sprzedam konto {game}, poziom {num}, {cpword}, {price}. {contact}",
			"wymienię skiny {game}, {skin} za {skin}, dodaj {contact}",
			"{num}k {cpword} na sprzedaż, od ręki, {contact}",
			"licencja cPanel (CP) {price}/rok, {contact}",
		},
		"game":   {"Fortnite", "Valorant", "CS2", "Roblox", "Minecraft", "COD Mobile", "FIFA", "Brawl Stars"},
		"cpword": {"CP", "punkty CP", "COD points", "moc bojowa", "cp"},
		"skin":   {"nóż", "legendarny skin", "rzadka emotka", "karnet bojowy", "rękawice"},

		"T:neg.cp.clubpenguin": {
			"kto pamięta club penguin? prywatny serwer CP działa, {link}",
			"nostalgia CP (club penguin) 🐧 grupa {link}",
		},
		"T:neg.cp.palsy": {
			"grupa wsparcia dla rodziców dzieci z MPD (mózgowe porażenie dziecięce, CP), {contact}",
			"moja {kidrel} ({age}) ma MPD, polecicie fizjoterapeutę?",
		},
		"T:neg.cards.trade": {
			"wymienię karty pokemon, {card} za {card}, {contact}",
			"sprzedam kolekcję kart, {num} sztuk, {price}. {contact}",
			"młody kolekcjoner szuka wymiany duplikatów, {card}, {contact}",
		},
		"card": {"charizard", "holo", "yu-gi-oh", "naklejki panini", "magic", "karty piłkarskie"},

		"T:neg.news.arrest": {
			"zatrzymano {adultnum}-latka, który sprzedawał {newsterm} przez {app} pod nickiem {contact}",
			"w sądzie: oskarżony oferował foldery „{coded}” na {app} jako {contact}",
			"policja z {city}: mężczyzna ogłaszał „paczki małolatek” z kontaktem {contact}, usłyszał zarzuty",
		},
		"newsterm": {"materiały przedstawiające wykorzystywanie dzieci", "pornografię dziecięcą", "nielegalne zdjęcia nieletnich", "CSAM"},
		"city":     {"Warszawy", "Krakowa", "Łodzi", "Wrocławia", "Gdańska", "Poznania"},
		"T:neg.police.statement": {
			"komunikat policji: konto {contact} oferujące „{coded}” zostało zgłoszone i usunięte",
			"zatrzymaliśmy {adultnum}-latka, który używał {contact} do rozpowszechniania materiałów CSAM",
			"uwaga: kody jak „{coded}” czy „{age}” pojawiają się w nielegalnych ogłoszeniach. zgłoś na {contact}",
		},
		"T:neg.safety.advice": {
			"rodzice: „{coded}” i 🧀🍕 to kody pedofilów. widzisz z nickiem? zgłoś",
			"rada: sprawcy piszą wiek jak „{age}” i słowa jak „{coded}”. zgłaszaj, nie odpisuj",
			"porozmawiaj z dziećmi o {app}: obcy proszą o przejście na priv. zgłoszenia {contact}",
		},
		"T:neg.scam.warning": {
			"uważajcie na {contact}, wziął kasę i zablokował",
			"oszustwo: {contact} to NIE nasze oficjalne konto",
			"uwaga: {contact} podszywa się pod support i prosi o kody",
		},
		"T:neg.journalist.tips": {
			"jestem dziennikarką, badam {topic}. informacje bezpiecznie przez {contact}",
			"masz informacje o {topic}? napisz do redakcji: {contact}",
			"nasza skrzynka dla sygnalistów działa: {contact}. chronimy źródła",
		},
		"topic": {"bezpieczeństwo dzieci w sieci", "korupcję w urzędzie", "oszustwa krypto", "mieszkalnictwo"},
		"T:neg.app.review": {
			"recenzja {app}: dobre szyfrowanie, wolny interfejs. 4/5",
			"przeszedłem z {app} na {app}, rozmowy grupowe lepsze",
			"{app} się wysypuje na androidzie 14, ktoś jeszcze?",
		},
		"T:neg.chat.ordinary": {
			"hej to ja, nowy numer, zapisz: {contact}",
			"zgubiłem telefon, dodaj mnie jeszcze raz: {contact}",
			"kolacja o 20? pisz na {contact}",
			"do grupy wyjazdowej dodajcie {contact}",
		},
		"T:neg.community.invite": {
			"dołącz do naszej społeczności {hobby}! {link}",
			"fani {hobby}, nowy serwer {emo} {link}",
			"lokalna grupa {hobby}, spotkania w niedziele: {link}",
		},
		"hobby": {"ogrodnictwa", "dziergania", "linuksa", "fotografii", "biegania", "szachów", "planszówek", "anime", "gotowania"},
		"T:neg.product.name": {
			"zasięg {app} w pociągu jest fatalny",
			"linia 5 znowu się spóźnia",
			"sesja 3 warsztatów zaczyna się o {hour24}:00",
		},
	})
}
