package render

import (
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/vanng822/go-premailer/premailer"
	"golang.org/x/net/html"
)

// inlined is the skeleton after CSS inlining: the document as HTML text, with the preheader
// and footer markers at the start and end of the body, and its body element for deriving the
// text part.
type inlined struct {
	doc  string
	body *html.Node
}

// inlineCSS moves the CSS of the skeleton's <style> elements into style attributes with
// go-premailer (once, at Compile). A <style> element holding a template action is left as it
// is: its rules would be copied onto every matching element, and the action with them.
// A fragment without <html> or <body> is wrapped in a document first, so that everything the
// author wrote lands in the body.
func inlineCSS(skel, prefix string) (res inlined, err error) {
	defer func() {
		// The inliner and its selector engine are third-party code fed with the author's
		// markup and CSS: a panic there is a template error, not a crash of the sender.
		if r := recover(); r != nil {
			err = fmt.Errorf("the CSS inliner failed: %v", r)
		}
	}()
	low := strings.ToLower(skel)
	if !strings.Contains(low, "<body") && !strings.Contains(low, "<html") {
		skel = "<!DOCTYPE html><html><head></head><body>" + skel + "</body></html>"
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(skel))
	if err != nil {
		return res, fmt.Errorf("parse the HTML: %w", err)
	}
	var ignored []*html.Node
	doc.Find("style").Each(func(_ int, s *goquery.Selection) {
		if _, has := s.Attr("data-premailer"); !has && strings.Contains(s.Text(), prefix) {
			s.SetAttr("data-premailer", "ignore")
			ignored = append(ignored, s.Nodes...)
		}
	})
	if _, err := premailer.NewPremailer(doc, premailer.NewOptions()).Transform(); err != nil {
		return res, fmt.Errorf("inline the CSS: %w", err)
	}
	for _, n := range ignored {
		goquery.NewDocumentFromNode(n).RemoveAttr("data-premailer")
	}
	body := doc.Find("body").First()
	if len(body.Nodes) == 0 {
		return res, fmt.Errorf("the HTML has no body")
	}
	b := body.Nodes[0]
	b.InsertBefore(&html.Node{Type: html.CommentNode, Data: prefix + markPre}, b.FirstChild)
	b.AppendChild(&html.Node{Type: html.CommentNode, Data: prefix + markFoot})
	var out strings.Builder
	if err := html.Render(&out, doc.Nodes[0]); err != nil {
		return res, fmt.Errorf("write the HTML: %w", err)
	}
	return inlined{doc: out.String(), body: b}, nil
}
