package bounce_test

import (
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/bounce"
)

// pleaseUnsubscribe is "please unsubscribe me" in each language the check knows.
var pleaseUnsubscribe = map[string]string{
	"en": "Please unsubscribe me.",
	"fr": "Merci de me désabonner.",
	"de": "Bitte melden Sie mich ab.",
	"pl": "Proszę mnie wypisać z listy.",
	"zh": "请帮我退订，谢谢。",
	"ar": "أرجو إلغاء الاشتراك من فضلك",
	"ru": "Пожалуйста, отпишите меня от рассылки.",
}

func TestStopRequestLanguages(t *testing.T) {
	for lang, text := range pleaseUnsubscribe {
		if p, sure, found := bounce.StopRequest(text); !found || !sure {
			t.Errorf("%s %q: phrase %q, sure %v, found %v", lang, text, p, sure, found)
		}
	}
}

// TestStopPhrases: every phrase of the data is found alone (sure) and in a long reply
// (unsure), and not inside another word.
func TestStopPhrases(t *testing.T) {
	long := strings.Repeat("Thank you for the newsletter, it was very interesting to read. ", 5)
	for _, p := range bounce.StopPhrases() {
		if got, sure, found := bounce.StopRequest(p); !found || !sure {
			t.Errorf("%q alone: %q, sure %v, found %v", p, got, sure, found)
		}
		if _, sure, found := bounce.StopRequest(long + p + ". " + long); !found || sure {
			t.Errorf("%q in a long reply: sure %v, found %v (want found, unsure)", p, sure, found)
		}
	}
	for _, text := range []string{"I love my stopwatch", "Unsubscribers are few", "See you soon", ""} {
		if p, _, found := bounce.StopRequest(text); found {
			t.Errorf("%q matched %q", text, p)
		}
	}
}

// TestStopRequestQuoted: the quoted original below a reply (its footer's unsubscribe link)
// does not count, whatever the mail program's quote heading.
func TestStopRequestQuoted(t *testing.T) {
	for _, text := range []string{
		"Thanks!\n\nOn Mon, Dec 1, 2026 at 9:00 AM News <n@example.org> wrote:\n> Unsubscribe here\n",
		"Merci\n\nLe lun. 1 déc. 2026 à 09:00, News <n@example.org> a écrit :\nSe désabonner\n",
		"Danke\n\nAm Mo., 1. Dez. 2026 um 09:00 Uhr schrieb News <n@example.org>:\nAbmelden\n",
		"Dzięki\n\nW dniu 1.12.2026 o 09:00 News <n@example.org> napisał:\nWypisz mnie\n",
		"谢谢\n\n2026年12月1日 News <n@example.org> 写道：\n退订\n",
		"شكرا\n\nفي 1 ديسمبر 2026 كتب News:\nإلغاء الاشتراك\n",
		"Спасибо\n\n1 декабря 2026 г., News <n@example.org> написал:\nОтписаться\n",
		"Got it\n\n-----Original Message-----\nFrom: News\nUnsubscribe\n",
		"ok\n> unsubscribe\n> stop\n",
	} {
		if p, _, found := bounce.StopRequest(text); found {
			t.Errorf("quoted text matched %q in %q", p, text)
		}
	}
}

func FuzzStopRequest(f *testing.F) {
	for _, s := range pleaseUnsubscribe {
		f.Add(s)
	}
	f.Add("On x wrote:\n> stop")
	f.Fuzz(func(t *testing.T, s string) {
		p, sure, found := bounce.StopRequest(s)
		if sure && !found || found && p == "" {
			t.Fatalf("%q: %q, %v, %v", s, p, sure, found)
		}
	})
}
