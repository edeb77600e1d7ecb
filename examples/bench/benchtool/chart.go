package main

import (
	"fmt"
	"math"
	"strings"
)

// chart draws median wall time against fleet size, both axes on a log
// scale, one line per tool: an SVG of a few kilobytes, no dependencies.
func chart(sums []summary) string {
	const w, h, left, right, top, bottom = 640.0, 400.0, 70.0, 150.0, 40.0, 50.0
	ns := sizes(sums)
	if len(ns) == 0 {
		return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"
	}
	minT, maxT := math.Inf(1), math.Inf(-1)
	for _, s := range sums {
		minT, maxT = math.Min(minT, s.wall), math.Max(maxT, s.wall)
	}
	lo, hi := math.Floor(math.Log10(minT)), math.Ceil(math.Log10(maxT))
	if hi == lo {
		hi++
	}
	nlo, nhi := math.Log10(float64(ns[0])), math.Log10(float64(ns[len(ns)-1]))
	if nhi == nlo {
		nhi = nlo + 1
	}
	x := func(n int) float64 { return left + (math.Log10(float64(n))-nlo)/(nhi-nlo)*(w-left-right) }
	y := func(t float64) float64 { return h - bottom - (math.Log10(t)-lo)/(hi-lo)*(h-top-bottom) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="14">Median wall time against fleet size (log scales)</text>`+"\n", left)
	for e := lo; e <= hi; e++ {
		t := math.Pow(10, e)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", left, y(t), w-right, y(t))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s s</text>`+"\n", left-6, y(t)+4, trimFloat(t))
	}
	for _, n := range ns {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`+"\n", x(n), top, x(n), h-bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`+"\n", x(n), h-bottom+18, n)
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">hosts (N)</text>`+"\n", (left+w-right)/2, h-10)
	colors := map[string]string{"galeraflow": "#1b7837", "parallel-ssh": "#2166ac", "ansible": "#b2182b"}
	row := 0
	for _, tool := range toolOrder {
		var pts []string
		for _, n := range ns {
			if s, ok := find(sums, tool, n); ok {
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(n), y(s.wall)))
			}
		}
		if len(pts) == 0 {
			continue
		}
		c := colors[tool]
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>`+"\n", c, strings.Join(pts, " "))
		for _, p := range pts {
			xy := strings.Split(p, ",")
			fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", xy[0], xy[1], c)
		}
		ly := top + 10 + float64(row)*20
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>`+"\n", w-right+15, ly, w-right+35, ly, c)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`+"\n", w-right+40, ly+4, tool)
		row++
	}
	b.WriteString("</svg>\n")
	return b.String()
}

func trimFloat(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}
