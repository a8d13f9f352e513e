// Package handles owns the second layer of the detector: finding the
// messaging-app contacts in a normalised text (links, ID shapes, and
// handles named after an app word) for every app of the wire contract, each
// checked against its app's handle syntax and reduced to its canonical form.
//
// Finding works on normalize.Text.Norm, so obfuscated app words ("w i c k
// r", "ｗｉｃｋｒ", "k1k", "73l3gu4rd", "t . me") are found like plain ones;
// the handle itself is read from the original text through the offset map
// with only light folding (compatibility forms, look-alikes, case where the
// app ignores it), so "n4me_01" stays "n4me_01".
//
// A text is scanned once, eight bytes at a time; only words whose first
// four bytes may start an app word or a link label, and words long enough
// to be IDs, are looked at further, and a post with none of them costs no
// allocation.
//
// A handle after an app word needs a separator ("wickr: x", "tg @x", "kik me
// x", "session id 05…", "my snap is x"), a contact phrase in one of eight
// languages ("add me on kik x", "agrégame al kik x", "me chama no zap
// +55…", "schreib mir auf telegram x", "ajoute-moi sur snap x", "пиши в
// телеграм @x"), or a handle-shaped word (letters with a digit or '_').
// Ambiguous names ("signal", "line", "snap", "tg", "zap") never take a plain
// word without a separator or a contact phrase, and a plain word after only
// a copula or a comma ("mein snap ist kaputt") is prose. A handle may also
// stand a few words on when a label or a separator introduces it
// ("username is x", "number: +1 …") or a contact phrase came first; "@x on
// telegram" reads backwards. Stop words of the eight languages and prose
// words ("app", "encrypted", "server") are never handles, and "Wickr Me" in
// title case is the product.
//
// Recall first: every plausible contact is a candidate, and a small scorer
// (score.go) weighs a username candidate's evidence (a label word or a
// separator before it, a contact phrase, the token's shape, whether it is
// a common word of one of the eight languages, how far it stands from the
// app word, prose going on after it, a warning naming it) into Match.Confidence,
// with the reasons in Match.Why. Extract returns the candidates at
// MinConfidence or above, Candidates all of them: "Kik login loop",
// "telegram: beware", "beware: x on kik" and a headline's "Snapchat:
// Aktienabsturz" stay below it, and an ambiguous name followed by a number
// ("line 43", "session 2") is the ordinary word. App names are
// also matched one slip away (fuzzy.go: "diskord", "viiber", "sgnal"),
// held to the contact syntax an ambiguous name needs; a handle may stand
// before its app word ("x on kik", "x (kik)", "x is my kik") or after the
// app word in brackets ("(kik) x"), and an '@' name ending in "bot" is a
// Telegram bot on its own.
//
// Phone numbers after or before WhatsApp, Signal, Viber and Telegram are
// read with their country code ('+' or "00"), and, at a lower confidence,
// as dialled at home ("WhatsApp 07700 900123", "signal: (202) 555-0143")
// when their digits, length and grouping fit exactly one plan of the table
// in national.go (UK, North America, France, the Netherlands, Germany,
// Spain, Italy, Brazil, Russia and Turkey mobiles); a shape two plans
// share is refused, and a number standing as an amount, a count, an order
// number or a date would is not read. Without such an app word no national
// number is read at all.
//
// Two app words share a handle only as a list ("snap or kik: x", "no
// telegram e no discord: x"): one does not take a handle over a nearer
// app word with prose between them ("tg got closed, now tele guard: X").
// A quoted shaped name before "on <app>" is that app's ("the user 'x' on
// snapchat"), a Matrix ID keeps its own '@name', and a Telegram invite
// said in words ("t me slash plus Code", "tee punt mee / + Code",
// spelledlink.go) is read when the host, the slash and the '+' are all
// there.
//
// Canonical forms follow DESIGN.md and detector/testdata/CORPUS.md:
// usernames lowercase, invite codes and link tokens as written (Telegram
// invite hashes with their '+', SimpleX short links by their token),
// phones E.164 with a "(0)" trunk digit dropped, Tox and Threema IDs
// uppercase, Session and Briar lowercase. Canonical and Valid apply them to
// handles from elsewhere (watchlists).
package handles
