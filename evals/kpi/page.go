package kpi

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vastaa/vastaa/workflows/callstore"
)

// DefaultSince is how far back Handler looks without a since parameter.
const DefaultSince = 24 * time.Hour

// ParseSince reads a report start: a positive duration back from now
// ("24h", "90m"), a date ("2026-11-01", local midnight), a local date and
// time ("2026-11-01T08:00"), an RFC 3339 time, or "all" (zero time: every
// call). The empty string means DefaultSince.
func ParseSince(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch s {
	case "":
		return now.Add(-DefaultSince), nil
	case "all":
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("since %q: the duration must be positive (e.g. 24h)", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("since %q: want a duration such as 24h, a date such as 2026-11-01, an RFC 3339 time, or all", s)
}

// Handler serves the KPI page for calls loaded by load, at any path. Query
// parameters: since (see ParseSince; default 24h) and format=json for the
// Report as JSON instead of HTML. A bad parameter is a 400.
func Handler(load func(ctx context.Context, since time.Time) ([]callstore.Call, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		q := req.URL.Query()
		since, err := ParseSince(q.Get("since"), time.Now())
		if err != nil {
			http.Error(w, "bad query parameter: "+err.Error(), http.StatusBadRequest)
			return
		}
		format := q.Get("format")
		if format != "" && format != "json" && format != "html" {
			http.Error(w, fmt.Sprintf("bad query parameter: format %q: want json or html", format), http.StatusBadRequest)
			return
		}
		calls, err := load(req.Context(), since)
		if err != nil {
			http.Error(w, "load calls: "+err.Error(), http.StatusInternalServerError)
			return
		}
		r := Compute(calls, Options{Since: since})
		w.Header().Set("Cache-Control", "no-store")
		if format == "json" {
			w.Header().Set("Content-Type", "application/json")
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			enc.Encode(r)
			return
		}
		var b strings.Builder
		if err := Page(&b, r); err != nil {
			http.Error(w, "render: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, b.String())
	})
}

// Page writes the report as a self-contained HTML page: KPI tiles and
// inline SVG charts, no scripts and no external assets. Stable ids:
// kpi-<name> on each tile (its value in class "value"), chart-volume (calls
// by hour of day), chart-timeline (calls per date-hour), chart-routes
// (route mix) and table-languages.
func Page(w io.Writer, r Report) error {
	return pageTmpl.Execute(w, newPageData(r))
}

type tile struct {
	ID, Label, Value, Detail string
}

type bar struct {
	X, Y, W, H     float64
	LabelX, LabelY float64
	Label, Title   string
	Value          int
	ShowValue      bool
}

type chart struct {
	Width, Height, Base float64
	Bars                []bar
	Empty               bool
}

type pageData struct {
	Period   string
	Tiles    []tile
	Hours    chart
	Timeline chart
	Routes   []routeBar
	RoutesH  float64
	Langs    []LanguageStats
	R        Report
}

type routeBar struct {
	Key          string
	Calls        int
	Share        string
	Y, W, TextY  float64
	BarX, ValueX float64
}

const (
	chartW, chartH = 720.0, 200.0
	chartPad       = 20.0
)

func newPageData(r Report) pageData {
	d := pageData{R: r, Langs: r.ByLanguage}
	switch {
	case !r.Since.IsZero() && !r.Until.IsZero():
		d.Period = r.Since.Local().Format("2006-01-02 15:04") + " – " + r.Until.Local().Format("2006-01-02 15:04")
	case !r.Since.IsZero():
		d.Period = "since " + r.Since.Local().Format("2006-01-02 15:04")
	default:
		d.Period = "all recorded calls"
	}
	d.Tiles = []tile{
		{"kpi-total", "Calls", fmt.Sprint(r.TotalCalls), fmt.Sprintf("%d offered · %d rejected", r.OfferedCalls, r.RejectedCalls)},
		{"kpi-answered", "Answered", fmt.Sprint(r.AnsweredCalls), fmt.Sprintf("%d in progress", r.InProgressCalls)},
		{"kpi-asa", "Avg speed of answer", secs(r.AvgSpeedOfAnswerSeconds), "answered calls"},
		{"kpi-aht", "Avg handle time", secs(r.AvgHandleTimeSeconds), "answer to end"},
		{"kpi-service-level", "Service level", pct(r.ServiceLevelRate), fmt.Sprintf("answered within %s", secs(r.ServiceLevelSeconds))},
		{"kpi-abandonment", "Abandonment", pct(r.AbandonmentRate), fmt.Sprintf("%d of %d offered", r.AbandonedCalls, r.OfferedCalls)},
		{"kpi-containment", "Containment", pct(r.ContainmentRate), fmt.Sprintf("%d of %d answered", r.ContainedCalls, r.AnsweredCalls)},
		{"kpi-transfer", "Transfer", pct(r.TransferRate), fmt.Sprintf("%d to a person", r.TransferredCalls)},
		{"kpi-fcr", "First-contact resolution", pct(r.FCR.Rate), fmt.Sprintf("%d of %d · %d unknown callers", r.FCR.Resolved, r.FCR.Eligible, r.FCR.UnknownCaller)},
		{"kpi-callback", "Callback", pct(r.CallbackRate), fmt.Sprintf("%d calls", r.CallbackCalls)},
		{"kpi-latency-p50", "Turn latency p50", fmt.Sprintf("%.0f ms", r.TurnLatency.P50MS), fmt.Sprintf("first audio · %d turns", r.TurnLatency.Turns)},
		{"kpi-latency-p95", "Turn latency p95", fmt.Sprintf("%.0f ms", r.TurnLatency.P95MS), "first audio"},
	}

	hours := make([]bar, 24)
	for h, n := range r.VolumeByHour {
		hours[h] = bar{Label: fmt.Sprintf("%02d", h), Title: fmt.Sprintf("%02d:00–%02d:59: %d calls", h, h, n), Value: n, ShowValue: true}
	}
	d.Hours = barChart(hours, 1)

	tl := make([]bar, len(r.Volume))
	every := max(1, (len(r.Volume)+11)/12)
	for i, v := range r.Volume {
		lt := v.Hour.Local()
		label := ""
		if i%every == 0 {
			label = lt.Format("01-02 15h")
		}
		tl[i] = bar{Label: label, Title: fmt.Sprintf("%s: %d calls", lt.Format("2006-01-02 15:00"), v.Calls), Value: v.Calls}
	}
	d.Timeline = barChart(tl, 0.5)

	peak := 0
	for _, c := range r.ByRoute {
		peak = max(peak, c.Calls)
	}
	const labelW, rowH, maxW = 120.0, 26.0, 480.0
	for i, c := range r.ByRoute {
		w := 0.0
		if peak > 0 {
			w = maxW * float64(c.Calls) / float64(peak)
		}
		y := float64(i) * rowH
		d.Routes = append(d.Routes, routeBar{Key: c.Key, Calls: c.Calls, Share: pct(ratio(float64(c.Calls), r.TotalCalls)),
			Y: y + 4, W: w, TextY: y + 18, BarX: labelW, ValueX: labelW + w + 6})
	}
	d.RoutesH = max(float64(len(r.ByRoute))*rowH+4, 10)
	return d
}

// barChart lays bars out left to right in a chartW x chartH box.
func barChart(bars []bar, gap float64) chart {
	c := chart{Width: chartW, Height: chartH + 2*chartPad, Base: chartPad + chartH, Empty: true}
	peak := 0
	for _, b := range bars {
		peak = max(peak, b.Value)
	}
	if len(bars) == 0 {
		return c
	}
	c.Empty = peak == 0
	slot := chartW / float64(len(bars))
	for i, b := range bars {
		h := 0.0
		if peak > 0 {
			h = chartH * float64(b.Value) / float64(peak)
		}
		b.X = float64(i)*slot + gap
		b.W = max(slot-2*gap, 0.5)
		b.H = h
		b.Y = c.Base - h
		b.LabelX = float64(i)*slot + slot/2
		b.LabelY = c.Base + 14
		c.Bars = append(c.Bars, b)
	}
	return c
}

var pageTmpl = template.Must(template.New("kpi").Funcs(template.FuncMap{
	"f":   func(v float64) string { return fmt.Sprintf("%.1f", v) },
	"sub": func(a, b float64) float64 { return a - b },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Vastaa KPIs</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 1.5rem; background: #f5f6f8; color: #1d2330; }
h1 { font-size: 1.4rem; margin: 0 0 .2rem; }
h2 { font-size: 1.05rem; margin: 1.6rem 0 .6rem; }
.period { color: #5b6475; margin: 0 0 1rem; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: .75rem; }
.tile { background: #fff; border-radius: 8px; padding: .8rem 1rem; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.tile .label { font-size: .8rem; color: #5b6475; text-transform: uppercase; letter-spacing: .03em; }
.tile .value { font-size: 1.7rem; font-weight: 600; margin: .2rem 0; font-variant-numeric: tabular-nums; }
.tile .detail { font-size: .8rem; color: #5b6475; }
.panel { background: #fff; border-radius: 8px; padding: 1rem; box-shadow: 0 1px 2px rgba(0,0,0,.08); overflow-x: auto; }
svg { display: block; max-width: 100%; height: auto; }
svg .bar { fill: #3867d6; }
svg .route-bar { fill: #20bf6b; }
svg .route-bar.handoff { fill: #eb3b5a; }
svg text { font-size: 11px; fill: #5b6475; }
svg .axis { stroke: #c9ced8; }
.empty { color: #8a93a5; font-style: italic; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { padding: .35rem .7rem; text-align: right; border-bottom: 1px solid #e4e7ec; }
th:first-child, td:first-child { text-align: left; }
th { font-size: .8rem; color: #5b6475; text-transform: uppercase; }
</style>
</head>
<body>
<h1>Contact-centre KPIs</h1>
<p class="period" id="period">{{.Period}}</p>

<section class="tiles" id="kpi-tiles">
{{- range .Tiles}}
<div class="tile" id="{{.ID}}"><div class="label">{{.Label}}</div><div class="value">{{.Value}}</div><div class="detail">{{.Detail}}</div></div>
{{- end}}
</section>

<h2>Calls by hour of day</h2>
<div class="panel">
{{- with .Hours}}
<svg id="chart-volume" class="chart" viewBox="0 0 {{f .Width}} {{f .Height}}" width="{{f .Width}}" height="{{f .Height}}" role="img" aria-label="Calls by hour of day">
<line class="axis" x1="0" x2="{{f .Width}}" y1="{{f .Base}}" y2="{{f .Base}}"/>
{{- range .Bars}}
<g class="hour" data-hour="{{.Label}}" data-calls="{{.Value}}"><title>{{.Title}}</title><rect class="bar" x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}"/><text x="{{f .LabelX}}" y="{{f .LabelY}}" text-anchor="middle">{{.Label}}</text>{{if .Value}}<text x="{{f .LabelX}}" y="{{f (sub .Y 3)}}" text-anchor="middle">{{.Value}}</text>{{end}}</g>
{{- end}}
</svg>
{{- if .Empty}}<p class="empty">No calls in this period.</p>{{end}}
{{- end}}
</div>

<h2>Calls over time</h2>
<div class="panel">
{{- with .Timeline}}
<svg id="chart-timeline" class="chart" viewBox="0 0 {{f .Width}} {{f .Height}}" width="{{f .Width}}" height="{{f .Height}}" role="img" aria-label="Calls per hour over the period">
<line class="axis" x1="0" x2="{{f .Width}}" y1="{{f .Base}}" y2="{{f .Base}}"/>
{{- range .Bars}}
<g class="bucket" data-calls="{{.Value}}"><title>{{.Title}}</title><rect class="bar" x="{{f .X}}" y="{{f .Y}}" width="{{f .W}}" height="{{f .H}}"/>{{if .Label}}<text x="{{f .LabelX}}" y="{{f .LabelY}}" text-anchor="middle">{{.Label}}</text>{{end}}</g>
{{- end}}
</svg>
{{- if .Empty}}<p class="empty">No calls in this period.</p>{{end}}
{{- end}}
</div>

<h2>Route mix</h2>
<div class="panel">
{{- if .Routes}}
<svg id="chart-routes" class="chart" viewBox="0 0 700 {{f .RoutesH}}" width="700" height="{{f .RoutesH}}" role="img" aria-label="Calls by route">
{{- range .Routes}}
<g class="route" data-route="{{.Key}}" data-calls="{{.Calls}}"><title>{{.Key}}: {{.Calls}} calls ({{.Share}})</title><text x="0" y="{{f .TextY}}">{{.Key}}</text><rect class="route-bar{{if eq .Key "handoff"}} handoff{{end}}" x="{{f .BarX}}" y="{{f .Y}}" width="{{f .W}}" height="18"/><text x="{{f .ValueX}}" y="{{f .TextY}}">{{.Calls}} · {{.Share}}</text></g>
{{- end}}
</svg>
{{- else}}
<svg id="chart-routes" class="chart" viewBox="0 0 700 {{f .RoutesH}}" width="700" height="{{f .RoutesH}}" role="img" aria-label="Calls by route"></svg>
<p class="empty">No calls in this period.</p>
{{- end}}
</div>

<h2>By language</h2>
<div class="panel">
<table id="table-languages">
<thead><tr><th>Language</th><th>Calls</th><th>Answered</th><th>Contained</th><th>Transferred</th><th>Abandoned</th></tr></thead>
<tbody>
{{- range .Langs}}
<tr class="language" data-language="{{.Language}}"><td>{{.Language}}</td><td>{{.Calls}}</td><td>{{.Answered}}</td><td>{{.Contained}}</td><td>{{.Transferred}}</td><td>{{.Abandoned}}</td></tr>
{{- else}}
<tr><td colspan="6" class="empty">No calls in this period.</td></tr>
{{- end}}
</tbody>
</table>
</div>
</body>
</html>
`))
