package track

import (
	"strings"
	"sync"
)

// Linker builds one message's tracking links. Build it per message (a few fields, no
// allocation); the key is the workspace's tracking key.
type Linker struct {
	Base      string // the public URL of clearlist, e.g. https://lists.example.com (no trailing slash)
	Key       []byte
	Workspace int64
	Campaign  int64
	Contact   int64 // 0 unless the workspace allows individual tracking
	Variant   int   // the A/B test's variant of the message (1 = A); 0 outside a test
	// Cache, when set, keeps the tracked form of each link of an aggregate-only campaign
	// (Contact 0), where every recipient's link is the same: share one per campaign.
	Cache *sync.Map
}

// Click returns the tracked form of a link, or false when the link is not tracked: not an
// absolute http(s) URL (mailto:, tel:, anchors), too long, or clearlist's own (the
// unsubscribe and preference links must reach the person's page untouched).
func (l Linker) Click(target string) (string, bool) {
	if l.Contact == 0 && l.Cache != nil {
		if v, ok := l.Cache.Load(target); ok {
			to := v.(string)
			return to, to != ""
		}
		to, ok := l.click(target)
		l.Cache.Store(target, to)
		return to, ok
	}
	return l.click(target)
}

func (l Linker) click(target string) (string, bool) {
	if !TrackableURL(target) || strings.HasPrefix(target, l.Base+"/") {
		return "", false
	}
	tok, err := Token{Kind: Click, Workspace: l.Workspace, Campaign: l.Campaign, Contact: l.Contact, URL: target, Variant: l.Variant}.Encode(l.Key)
	if err != nil {
		return "", false
	}
	return l.Base + "/c/" + tok, true
}

// Pixel is the URL of the message's open pixel.
func (l Linker) Pixel() (string, error) {
	tok, err := Token{Kind: Open, Workspace: l.Workspace, Campaign: l.Campaign, Contact: l.Contact, Variant: l.Variant}.Encode(l.Key)
	if err != nil {
		return "", err
	}
	return l.Base + "/o/" + tok, nil
}

// Apply rewrites the message's links and adds the open pixel (when withPixel) before the
// end of its body, appending the result to dst.
func (l Linker) Apply(dst []byte, html string, withPixel bool) ([]byte, error) {
	if withPixel {
		px, err := l.Pixel()
		if err != nil {
			return dst, err
		}
		img := `<img src="` + px + `" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px">`
		if i := lastIndexFold(html, "</body"); i >= 0 {
			dst = RewriteLinks(dst, html[:i], l.Click)
			dst = append(dst, img...)
			return append(dst, html[i:]...), nil
		}
		dst = RewriteLinks(dst, html, l.Click)
		return append(dst, img...), nil
	}
	return RewriteLinks(dst, html, l.Click), nil
}

func lastIndexFold(s, sub string) int {
	for i := len(s) - len(sub); i >= 0; i-- {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
