package web

import (
	"fmt"
	"html"
	"strings"
)

// bar is one bar of a chart.
type bar struct {
	Label string
	Value int64
}

// Geometry of barChart, in SVG user units (the SVG scales to its container's width).
const (
	chartWidth  = 640
	chartLabelW = 180 // room for the label left of each bar
	chartValueW = 70  // room for the value right of each bar
	chartBarH   = 22
	chartGap    = 8
	chartMaxBar = 40 // bars drawn at most (the rest are summed up in the caption)
)

// barChart draws a horizontal bar chart as inline SVG, by hand (no library, no script): one
// bar a label, its length proportional to the largest value, with the label and the number
// written next to it, so the chart reads without colour. title becomes the SVG's accessible
// name. Every label is escaped: they come from data (receiving domains).
func barChart(title string, bars []bar) string {
	shown := bars[:min(len(bars), chartMaxBar)]
	var peak int64
	for _, b := range shown {
		peak = max(peak, b.Value)
	}
	height := len(shown)*(chartBarH+chartGap) + chartGap
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 %d %d" aria-labelledby="%s">`,
		chartWidth, max(height, chartBarH), chartID(title))
	fmt.Fprintf(&sb, `<title id="%s">%s</title>`, chartID(title), html.EscapeString(title))
	span := chartWidth - chartLabelW - chartValueW
	for i, b := range shown {
		y := chartGap + i*(chartBarH+chartGap)
		w := 0
		if peak > 0 {
			w = int(int64(span) * b.Value / peak)
		}
		if b.Value > 0 && w < 2 {
			w = 2 // a non-zero count stays visible
		}
		label := b.Label
		if r := []rune(label); len(r) > 26 {
			label = string(r[:25]) + "…"
		}
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" class="chart-label">%s</text>`,
			chartLabelW-8, y+chartBarH-6, html.EscapeString(label))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" class="chart-bar"><title>%s: %d</title></rect>`,
			chartLabelW, y, w, chartBarH, html.EscapeString(b.Label), b.Value)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" class="chart-value">%d</text>`, chartLabelW+w+6, y+chartBarH-6, b.Value)
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

// chartID makes an element id from a chart's title.
func chartID(title string) string {
	var sb strings.Builder
	sb.WriteString("chart-")
	for _, r := range strings.ToLower(title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			sb.WriteRune(r)
		} else {
			sb.WriteByte('-')
		}
	}
	return sb.String()
}
