package gen

// Shared template shapes: every language fills their slots with its own
// words, so the shapes cross all languages, and each language adds shapes
// of its own in its lexicon.
func init() {
	shared = lexicon{
		"T:pos.offer.sell": {
			"{sell} {mg} {deco} {contact}",
			"{mg} {sell2}. {cta} {contact}",
			"{sell} {mg}, {deco}. {cta} {contact}",
			"{emo} {sell} {mg} {emo} {contact}",
			"{sell} {mg} {pricehint} {contact}",
			"{new} {mg} {sell2} {emo} {contact}",
			"{sell} {mg} {contact} {deco}",
			"{sell} {mg}. {contact} (backup {contact})",
		},
		"T:pos.offer.trade": {
			"{trade} {mg} {contact}",
			"{trade} {mg}, {tradeonly}. {contact}",
			"{mg} {tradefor} {mg}. {contact}",
			"{trade} {mg} {emo} {cta} {contact}",
			"{tradeonly}: {mg}. {contact}",
		},
		"T:pos.offer.menu": {
			"{menu} {mg} {contact}",
			"{mg} {menu2} {contact}",
			"{emo_goods} {menu} {emo_minor} {contact}",
			"{menu}: {goods} {minor} {age}. {contact}",
			"{new} {menu} ({mg}) {cta} {contact}",
			"{menu}:\n✅ {mg}\n✅ {mg}\n✅ {mg}\n{contact}",
			"{menu}\n{mg} - {price}\n{mg} - {price}\n{cta} {contact}",
			"{menu} {emo}\n• {mg}\n• {mg}\n{contact}",
		},
		"T:pos.request.buy": {
			"{request} {mg} {contact}",
			"{request} {mg}, {pay}. {contact}",
			"{whohas} {mg}? {contact}",
			"{request} {mg} {age} {cta} {contact}",
			"{whohas} {mg} {emo} {contact}",
			"{request} {mg}: {contact} / {contact}",
		},
		"T:pos.group.invite": {
			"{groupinv} {mg}: {link}",
			"{groupinv} ({mg}) {link}",
			"{mg} {group} {link}",
			"{group}: {mg} {emo} {link}",
			"{groupinv} {mg} {tradeonly} {link}",
		},
		"T:pos.coded.token": {
			"{coded} {goods} {contact}",
			"{coded} {sell2} {contact}",
			"{sell} {coded} {goods} {contact}",
			"{coded} {coded} {emo} {contact}",
			"{trade} {coded} {contact}",
			"{coded} {minor} {goods} {contact}",
		},
		"T:pos.coded.food": {
			"{foodcode} {minor} {contact}",
			"{foodcode} {sell2} {emo} {contact}",
			"{sell} {foodcode} {minor} {contact}",
			"{foodcode} 🧀🍕 {menu2} {contact}",
		},
		"T:pos.emoji.code": {
			"{emo_minor}{emo_goods} {sell} {contact}",
			"{emo_minor} {mg} {emo_goods} {contact}",
			"🧀🍕 {menu} {emo_minor} {contact}",
			"{emo_goods}{emo_minor} {age} {contact}",
			"{sell} {emo_minor}{emo_minor} {goods} {contact}",
			"🍕🧀 {emo_minor} {sell2} {contact}",
			"{emo_minor}{emo_goods} {contact}",
			"{emo_goods}{emo_goods} {emo_minor} {age} {cta} {contact}",
		},
		"T:pos.age.claim": {
			"{age} {goods} {sell2} {contact}",
			"{sell} {goods} {age} {contact}",
			"{minor_n} {age} {goods} {contact}",
			"{goods} {minor} ({age}) {cta} {contact}",
			"{request} {goods} {age} {contact}",
		},
		"T:pos.hashtags": {
			"{hashtags} {contact}",
			"{sell} {mg} {hashtags}\n{contact}",
			"{hashtags} {hashtags} {cta} {contact}",
			"{mg} {hashtags} {contact}",
		},
		"T:pos.two.apps": {
			"{sell} {mg} {twoapps}",
			"{mg} {cta} {twoapps}",
			"{trade} {mg}. {twoapps}",
			"{request} {mg} {twoapps}",
		},
		"T:pos.split.lines": {
			"{sell} {mg}\n{deco}\n{contact}",
			"{mg}{contactnl}",
			"{trade} {mg}\n{cta}{contactnl}",
			"{menu} {emo}\n{mg}\n{contact}",
		},
		"T:pos.handle.first": {
			"{contact} {sell} {mg}",
			"{contact}\n{mg} {sell2}",
			"{contact} - {mg}, {deco}",
			"{contact} {emo} {request} {mg}",
		},

		// Negative shapes: lists and terse listings as shops write them.
		"T:neg.marketplace.kids": {
			"{kiditem}, {kidsize}, {price}. {contact}",
			"{kiditem} - {cond} - {price} - {pickup} {contact}",
			"✅ {kiditem} {price}\n✅ {kiditem} {price}\n✅ {kiditem} {price}\n{contact}",
			"{emo_minor} {kiditem} ({kidsize}) {price} {emo} {contact}",
			"{kiditem} {age}\n{cond}\n{price}\n{contact}",
		},
		"T:neg.marketplace.general": {
			"{mkitem} - {cond} - {price} {contact}",
			"• {mkitem} {price}\n• {mkitem} {price}\n{pickup} {contact}",
		},
		"T:neg.school.uniform": {
			"{school}: {kidsize}, {cond}, {price} {contact}",
		},
		"T:neg.pizza.shop": {
			"🍕 {pizza} {price}\n🍕 {pizza} {price}\n🧀 {pizza} {price}\n{contact}",
			"{pizza} + {pizza} = {price} 🍕 {contact}",
		},
		"T:neg.gaming.trade": {
			"{game} | {cpword} | {price} | {contact}",
			"[{game}] {skin} → {skin} {contact}",
		},
		"T:neg.cards.trade": {
			"{card} ↔ {card} {contact}",
		},
		"T:neg.adult.only": {
			"{adultmark} {adultw} {adultgoods} {adultmark} {contact}",
		},
		"T:neg.crypto.young": {
			"🚀 {coin} 🚀 {pct}% 📈 {link}",
		},
	}
}
