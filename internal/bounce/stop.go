package bounce

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// stopPhrase is a phrase of a reply that asks to stop. A strong phrase says it on its own
// ("unsubscribe me"); a weak one ("stop") only when it is about all the reply says.
type stopPhrase struct {
	Lang   string
	Text   string // lower case
	Strong bool
}

// stopPhrases are the phrases, as data: each is tested (stop_test.go).
var stopPhrases = []stopPhrase{
	{"en", "unsubscribe", true}, {"en", "remove me", true}, {"en", "take me off", true},
	{"en", "opt out", true}, {"en", "opt-out", true}, {"en", "stop emailing", true},
	{"en", "stop sending", true}, {"en", "do not email", true}, {"en", "don't email", true},
	{"en", "no more emails", true}, {"en", "stop", false},
	{"fr", "désabonner", true}, {"fr", "désabonnez", true}, {"fr", "désinscrire", true},
	{"fr", "désinscrivez", true}, {"fr", "retirez-moi", true}, {"fr", "ne plus recevoir", true},
	{"fr", "arrêtez", false}, {"fr", "arrêter", false},
	{"de", "abmelden", true}, {"de", "melden sie mich ab", true}, {"de", "abbestellen", true},
	{"de", "austragen", true}, {"de", "tragen sie mich aus", true}, {"de", "keine e-mails mehr", true},
	{"de", "stopp", false}, {"de", "aufhören", false},
	{"pl", "wypisz mnie", true}, {"pl", "wypisać", true}, {"pl", "wypiszcie", true},
	{"pl", "rezygnuję z subskrypcji", true}, {"pl", "usuńcie mnie", true}, {"pl", "usuń mnie", true},
	{"pl", "przestańcie", false},
	{"zh", "退订", true}, {"zh", "取消订阅", true}, {"zh", "不要再发", true}, {"zh", "停止发送", true},
	{"zh", "停止", false},
	{"ar", "إلغاء الاشتراك", true}, {"ar", "الغاء الاشتراك", true}, {"ar", "ألغوا اشتراكي", true},
	{"ar", "توقفوا عن مراسلتي", true}, {"ar", "احذفوني", true}, {"ar", "توقف", false},
	{"ru", "отписаться", true}, {"ru", "отпишите", true}, {"ru", "отписка", true},
	{"ru", "удалите меня", true}, {"ru", "не присылайте", true}, {"ru", "хватит", false}, {"ru", "стоп", false},
}

// Bounds of "short": a strong phrase in a reply this short is a clear request; a weak one
// only in a reply of a few words.
const (
	shortReply = 200 // runes
	tinyReply  = 30
)

// StopRequest tells whether a reply asks to stop: the phrase it matched, and whether it is
// sure (act at once) or not (a person decides). Quoted text (the original message below the
// reply, its footer's "unsubscribe" link) is left out first.
func StopRequest(text string) (phrase string, sure, found bool) {
	own := normalizeReply(ownText(text))
	n := utf8.RuneCountInString(own)
	for _, p := range stopPhrases {
		if !containsPhrase(own, p.Text) {
			continue
		}
		if p.Strong && n <= shortReply || !p.Strong && n <= tinyReply {
			return p.Text, true, true
		}
		if !found || p.Strong { // keep the first strong match, else the first weak one
			phrase, found = p.Text, true
			if p.Strong {
				return phrase, false, true
			}
		}
	}
	return phrase, false, found
}

// quoteHeads start the quoted original in the common mail programs, per language.
var quoteHeads = regexp.MustCompile(`(?im)^(` +
	`on .{1,200} wrote:|` + // en
	`le .{1,200} a écrit ?:|` + // fr
	`am .{1,200} schrieb .{0,100}:|` + // de
	`w dniu .{1,200} napisał(a)?:?|` + // pl
	`.{0,200}写道[:：]?|` + // zh
	`في .{1,200}كتب.{0,200}:|` + // ar
	`.{0,200}написал(а)?:|` + // ru
	`-{2,} ?(original message|ursprüngliche nachricht|message d'origine|wiadomość oryginalna|原始邮件|исходное сообщение) ?-{2,}|` +
	`from: .+|de ?: .+|von: .+|od: .+|发件人[:：].+|от: .+|` +
	`_{10,})\s*$`)

// ownText is the reply without what it quotes: lines starting with ">" and everything from
// a quote heading ("On … wrote:", "-----Original Message-----", "From: …") on.
func ownText(text string) string {
	if len(text) > 64<<10 {
		text = text[:64<<10]
	}
	if loc := quoteHeads.FindStringIndex(text); loc != nil {
		text = text[:loc[0]]
	}
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), ">") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// normalizeReply lower-cases and folds runs of white space to one space.
func normalizeReply(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

// containsPhrase finds p in s at word boundaries (letters or digits next to it make another
// word: "stopwatch" is not "stop"); scripts without spaces (Chinese) match anywhere.
func containsPhrase(s, p string) bool {
	for i := 0; i <= len(s)-len(p); {
		j := strings.Index(s[i:], p)
		if j < 0 {
			return false
		}
		j += i
		before, _ := utf8.DecodeLastRuneInString(s[:j])
		after, _ := utf8.DecodeRuneInString(s[j+len(p):])
		first, _ := utf8.DecodeRuneInString(p)
		if unicode.Is(unicode.Han, first) || !wordRune(before) && !wordRune(after) {
			return true
		}
		_, size := utf8.DecodeRuneInString(s[j:])
		i = j + size
	}
	return false
}

func wordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}
