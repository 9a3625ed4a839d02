package dashboard

import (
	"strconv"
)

// bar is one row of a horizontal bar chart. label is untrusted (escaped
// when written); shown is the value as text, made here from numbers.
type bar struct {
	label string
	value float64
	shown string
	color string // a colour constant of this package; "" for the chart's
}

// Geometry of the bar charts.
const (
	barWidth  = 560
	barLabelW = 200
	barAreaW  = 250
	barRowH   = 22
)

// barChart draws bars scaled to the largest value.
func barChart(o *out, title string, bars []bar, color string) {
	top := 0.0
	for _, b := range bars {
		top = max(top, b.value)
	}
	barChartMax(o, title, bars, color, top)
}

// barChartMax draws horizontal bars, value top filling the bar area. title
// is a constant of this package.
func barChartMax(o *out, title string, bars []bar, color string, top float64) {
	h := len(bars)*barRowH + 8
	o.rawf("<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", barWidth, h, barWidth, h)
	o.raw(title)
	o.raw("\">\n<title>")
	o.raw(title)
	o.raw("</title>\n")
	for i, b := range bars {
		y := 4 + i*barRowH
		w := 0.0
		if top > 0 && b.value > 0 {
			w = b.value / top * barAreaW
			w = max(w, 1)
		}
		c := color
		if b.color != "" {
			c = b.color
		}
		o.raw("<g><title>")
		o.text(b.label, 300)
		o.raw(": ")
		o.raw(b.shown)
		o.rawf("</title><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", barLabelW-6, y+15)
		o.text(truncate(b.label, maxLabel), 0)
		o.rawf("</text><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"", barLabelW, y+3, w, barRowH-6)
		o.raw(c)
		o.rawf("\"></rect><text x=\"%.1f\" y=\"%d\">", float64(barLabelW)+w+4, y+15)
		o.raw(b.shown)
		o.raw("</text></g>\n")
	}
	o.raw("</svg>\n")
}

// point is one week's value of a series; ok is false when there was
// nothing to take a share of (drawn as a gap).
type point struct {
	v  float64
	ok bool
}

type lineSeries struct {
	name   string // a constant of this package
	color  string
	points []point
}

// Geometry of the weekly charts.
const (
	chartW   = 640
	chartH   = 240
	chartL   = 44
	chartR   = 12
	chartT   = 10
	chartB   = 46
	maxTicks = 8
)

// xAt is the x of week i of n.
func xAt(i, n int) float64 {
	plot := float64(chartW - chartL - chartR)
	if n <= 1 {
		return chartL + plot/2
	}
	return chartL + plot*float64(i)/float64(n-1)
}

// shareChart draws shares (0 to 1) per week as lines with a dot per week.
func shareChart(o *out, title string, labels []string, series []lineSeries) {
	plotH := float64(chartH - chartT - chartB)
	y := func(v float64) float64 { return chartT + plotH*(1-min(max(v, 0), 1)) }
	svgOpen(o, title)
	for _, g := range []float64{0, .25, .5, .75, 1} {
		o.rawf("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#dee2e6\"></line>", chartL, chartW-chartR, y(g), y(g))
		o.rawf("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d%%</text>\n", chartL-4, y(g)+4, int(g*100))
	}
	xAxis(o, labels)
	n := len(labels)
	for _, s := range series {
		// One polyline per run of weeks that have a value.
		var pts []byte
		flush := func() {
			if len(pts) > 0 {
				o.raw("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"" + s.color + "\" points=\"")
				o.raw(string(pts))
				o.raw("\"></polyline>\n")
				pts = pts[:0]
			}
		}
		for i, p := range s.points {
			if !p.ok {
				flush()
				continue
			}
			pts = strconv.AppendFloat(pts, xAt(i, n), 'f', 1, 64)
			pts = append(pts, ',')
			pts = strconv.AppendFloat(pts, y(p.v), 'f', 1, 64)
			pts = append(pts, ' ')
		}
		flush()
		if n <= 160 {
			for i, p := range s.points {
				if !p.ok {
					continue
				}
				o.rawf("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"", xAt(i, n), y(p.v))
				o.raw(s.color)
				o.raw("\"><title>")
				o.text(labels[i], 20)
				o.raw(" " + s.name + ": " + pct(p.v))
				o.raw("</title></circle>\n")
			}
		}
	}
	o.raw("</svg>\n")
}

type stackKind struct {
	name      string
	color     string
	untrusted bool // name came from a log (a tool): escape it
}

// kindName writes a series' name.
func kindName(o *out, k stackKind) {
	if k.untrusted {
		o.text(k.name, 60)
		return
	}
	o.raw(k.name)
}

// stackChart draws one stacked column per week.
func stackChart(o *out, title string, labels []string, kinds []stackKind, stacks [][]int) {
	plotH := float64(chartH - chartT - chartB)
	top := 0
	for _, st := range stacks {
		sum := 0
		for _, v := range st {
			sum += v
		}
		top = max(top, sum)
	}
	svgOpen(o, title)
	scale := niceMax(top)
	for i := 0; i <= 4; i++ {
		v := scale * i / 4
		yy := chartT + plotH*(1-float64(v)/float64(max(scale, 1)))
		o.rawf("<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#dee2e6\"></line>", chartL, chartW-chartR, yy, yy)
		o.rawf("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n", chartL-4, yy+4, v)
	}
	xAxis(o, labels)
	n := len(labels)
	colW := float64(chartW-chartL-chartR) / float64(max(n, 1)) * 0.7
	colW = min(max(colW, 1), 40)
	for i, st := range stacks {
		x := xAt(i, n) - colW/2
		base := chartT + plotH
		for k, v := range st {
			if v <= 0 {
				continue
			}
			hh := plotH * float64(v) / float64(max(scale, 1))
			base -= hh
			o.rawf("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"", x, base, colW, hh)
			o.raw(kinds[k].color)
			o.raw("\"><title>")
			o.text(labels[i], 20)
			o.raw(" ")
			kindName(o, kinds[k])
			o.raw(": ")
			o.num(v)
			o.raw("</title></rect>\n")
		}
	}
	o.raw("</svg>\n")
}

func svgOpen(o *out, title string) {
	o.rawf("<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", chartW, chartH, chartW, chartH)
	o.raw(title)
	o.raw("\">\n<title>")
	o.raw(title)
	o.raw("</title>\n")
	o.rawf("<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#495057\"></line>\n", chartL, chartW-chartR, chartH-chartB, chartH-chartB)
}

// xAxis writes at most maxTicks week labels, evenly spread.
func xAxis(o *out, labels []string) {
	n := len(labels)
	step := max((n+maxTicks-1)/maxTicks, 1)
	for i := 0; i < n; i += step {
		o.rawf("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", xAt(i, n), chartH-chartB+16)
		o.text(labels[i], 20)
		o.raw("</text>\n")
	}
}

// niceMax rounds n up to 1, 2 or 5 times a power of ten (at least 4, so
// that the four grid steps are whole numbers).
func niceMax(n int) int {
	if n <= 4 {
		return 4
	}
	p := 1
	for p*10 < n {
		p *= 10
	}
	for _, m := range []int{1, 2, 4, 5, 8, 10} {
		if m*p >= n && (m*p)%4 == 0 {
			return m * p
		}
	}
	return 10 * p
}

// legend writes the colour key of a stacked chart.
func legend(o *out, kinds []stackKind) {
	o.raw("<p class=\"legend\">")
	for _, k := range kinds {
		o.raw("<span><i class=\"sw\" style=\"background:" + k.color + "\"></i>")
		kindName(o, k)
		o.raw("</span>")
	}
	o.raw("</p>\n")
}

// truncate caps s at n runes with "…".
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
