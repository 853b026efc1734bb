package kpi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vastaa/vastaa/workflows/callstore"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func turn(intent string, firstAudioMS float64, cites ...string) callstore.Turn {
	return callstore.Turn{Intent: intent, Citations: cites, Timings: callstore.Timings{FirstAudio: firstAudioMS}}
}

// answered makes an answered call that started at start, waited wait and
// lasted handle (0: still in progress).
func answered(id, caller string, start, wait, handle time.Duration, route, reason, lang string, turns ...callstore.Turn) callstore.Call {
	c := callstore.Call{ID: id, Caller: caller, StartedAt: at(start), AnsweredAt: at(start + wait),
		Route: route, EndReason: reason, Language: lang, Turns: turns, TurnCount: len(turns)}
	if handle > 0 {
		c.EndedAt = at(start + wait + handle)
	}
	return c
}

// mixed is a day of calls covering every KPI; the expected figures are in
// TestCompute.
func mixed() []callstore.Call {
	return []callstore.Call{
		answered("c1", "+358401", 0, 5*time.Second, 60*time.Second, "self_service", "bot-hangup", "fi",
			turn("question", 100, "hours.md"), turn("goodbye", 200)),
		answered("c2", "+358402", 10*time.Minute, 30*time.Second, 100*time.Second, "handoff", "caller-hangup", "en",
			turn("human", 300)),
		{ID: "c3", Caller: "+358403", StartedAt: at(time.Hour), EndedAt: at(time.Hour + 10*time.Second), EndReason: "cancelled"},
		{ID: "c4", Caller: "+358404", StartedAt: at(time.Hour + 5*time.Minute), EndedAt: at(time.Hour + 5*time.Minute), EndReason: "rejected:no-common-codec"},
		answered("c5", "sip:anonymous@anonymous.invalid", time.Hour+20*time.Minute, 2*time.Second, 50*time.Second, "booking", "bot-hangup", "sv",
			turn("booking", 400)),
		answered("c6", "+358405", 3*time.Hour, time.Second, 0, "voicemail", "", "fi",
			turn("voicemail", 500), turn("", 0)),
	}
}

func baseReport(o Options) Report {
	return Report{Since: o.Since, Until: o.Until, ServiceLevelSeconds: 20, FCRWindowHours: 168,
		Volume: []HourCount{}, ByLanguage: []LanguageStats{}, ByRoute: []Count{}}
}

func TestCompute(t *testing.T) {
	utc := Options{Location: time.UTC}
	tests := []struct {
		name  string
		calls []callstore.Call
		opts  Options
		want  func(r *Report)
	}{
		{name: "no calls", calls: nil, opts: utc, want: func(r *Report) {}},
		{name: "mixed day", calls: mixed(), opts: utc, want: func(r *Report) {
			r.TotalCalls, r.AnsweredCalls, r.RejectedCalls, r.OfferedCalls, r.InProgressCalls = 6, 4, 1, 5, 1
			r.VolumeByHour[9], r.VolumeByHour[10], r.VolumeByHour[12] = 2, 3, 1
			r.Volume = []HourCount{{at(0), 2}, {at(time.Hour), 3}, {at(2 * time.Hour), 0}, {at(3 * time.Hour), 1}}
			r.AvgSpeedOfAnswerSeconds = 9.5 // (5+30+2+1)/4
			r.AvgHandleTimeSeconds = 70     // (60+100+50)/3, c6 still in progress
			r.AbandonedCalls, r.AbandonmentRate = 2, 0.4
			r.ContainedCalls, r.ContainmentRate = 3, 0.75
			r.TransferredCalls, r.TransferRate = 1, 0.25
			r.FCR = FCRStats{Eligible: 3, Resolved: 3, UnknownCaller: 1, Rate: 1}
			r.AnsweredInServiceLevel, r.ServiceLevelRate = 3, 0.75
			r.ByLanguage = []LanguageStats{
				{Language: "fi", Calls: 2, Answered: 2, Contained: 2},
				{Language: "unknown", Calls: 2, Abandoned: 1},
				{Language: "en", Calls: 1, Answered: 1, Transferred: 1, Abandoned: 1},
				{Language: "sv", Calls: 1, Answered: 1, Contained: 1},
			}
			r.ByRoute = []Count{{"none", 2}, {"booking", 1}, {"handoff", 1}, {"self_service", 1}, {"voicemail", 1}}
			r.TurnLatency = LatencyStats{Turns: 5, P50MS: 300, P95MS: 500}
		}},
		{name: "service level 30s and period", calls: mixed(),
			opts: Options{Location: time.UTC, ServiceLevel: 30 * time.Second, Since: at(0), Until: at(time.Hour)},
			want: func(r *Report) {
				r.ServiceLevelSeconds = 30
				r.TotalCalls, r.AnsweredCalls, r.OfferedCalls = 2, 2, 2
				r.VolumeByHour[9] = 2
				r.Volume = []HourCount{{at(0), 2}}
				r.AvgSpeedOfAnswerSeconds, r.AvgHandleTimeSeconds = 17.5, 80
				r.AbandonedCalls, r.AbandonmentRate = 1, 0.5
				r.ContainedCalls, r.ContainmentRate = 1, 0.5
				r.TransferredCalls, r.TransferRate = 1, 0.5
				r.FCR = FCRStats{Eligible: 2, Resolved: 2, Rate: 1}
				r.AnsweredInServiceLevel, r.ServiceLevelRate = 2, 1 // 30s is within 30s
				r.ByLanguage = []LanguageStats{
					{Language: "en", Calls: 1, Answered: 1, Transferred: 1, Abandoned: 1},
					{Language: "fi", Calls: 1, Answered: 1, Contained: 1},
				}
				r.ByRoute = []Count{{"handoff", 1}, {"self_service", 1}}
				r.TurnLatency = LatencyStats{Turns: 3, P50MS: 200, P95MS: 300}
			}},
		{name: "callbacks and abandonment variants", opts: utc, calls: []callstore.Call{
			answered("k1", "+1", 0, time.Second, time.Minute, "callback", "bot-hangup", "en"),
			answered("k2", "+2", 0, time.Second, time.Minute, "self_service", "callback-requested", "en"),
			// caller hung up mid-utterance while waiting for a person: abandoned
			answered("k3", "+3", 0, time.Second, time.Minute, "handoff", "caller-hangup:mid-utterance", "en"),
			// hung up while the bot was serving (not waiting for a person): not abandoned
			answered("k4", "+4", 0, time.Second, time.Minute, "self_service", "caller-hangup", "en"),
			// never answered, caller hung up: abandoned
			{ID: "k5", Caller: "+5", StartedAt: at(0), EndedAt: at(3 * time.Second), EndReason: "caller-hangup"},
			// never answered, still ringing: not abandoned yet
			{ID: "k6", Caller: "+6", StartedAt: at(0)},
			// handed off and the bot ended the leg: not abandoned
			answered("k7", "+7", 0, time.Second, time.Minute, "handoff", "bot-hangup", "en"),
			// never answered, media failure: not abandoned
			{ID: "k8", Caller: "+8", StartedAt: at(0), EndedAt: at(time.Second), EndReason: "no-ack"},
		}, want: func(r *Report) {
			r.TotalCalls, r.AnsweredCalls, r.OfferedCalls, r.InProgressCalls = 8, 5, 8, 1
			r.VolumeByHour[9] = 8
			r.Volume = []HourCount{{at(0), 8}}
			r.AvgSpeedOfAnswerSeconds, r.AvgHandleTimeSeconds = 1, 60
			r.AbandonedCalls, r.AbandonmentRate = 2, 0.25
			r.ContainedCalls, r.ContainmentRate = 3, 0.6
			r.TransferredCalls, r.TransferRate = 2, 0.4
			r.CallbackCalls, r.CallbackRate = 2, 0.25
			r.FCR = FCRStats{Eligible: 5, Resolved: 5, Rate: 1}
			r.AnsweredInServiceLevel, r.ServiceLevelRate = 5, 1
			r.ByLanguage = []LanguageStats{
				{Language: "en", Calls: 5, Answered: 5, Contained: 3, Transferred: 2, Abandoned: 1},
				{Language: "unknown", Calls: 3, Abandoned: 1},
			}
			r.ByRoute = []Count{{"none", 3}, {"handoff", 2}, {"self_service", 2}, {"callback", 1}}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Compute(tc.calls, tc.opts)
			want := baseReport(tc.opts)
			if tc.opts.ServiceLevel != 0 {
				want.ServiceLevelSeconds = tc.opts.ServiceLevel.Seconds()
			}
			tc.want(&want)
			if !reflect.DeepEqual(got, want) {
				g, _ := json.MarshalIndent(got, "", " ")
				w, _ := json.MarshalIndent(want, "", " ")
				t.Errorf("report differs\n got: %s\nwant: %s", g, w)
			}
			if _, err := json.Marshal(got); err != nil {
				t.Errorf("report does not encode: %v", err)
			}
			var b strings.Builder
			got.WriteText(&b)
			if !strings.Contains(b.String(), "containment") || strings.Contains(b.String(), "NaN") {
				t.Errorf("text report:\n%s", b.String())
			}
		})
	}
}

func TestFCR(t *testing.T) {
	first := answered("first", "+358401234567", 0, time.Second, time.Minute, "self_service", "bot-hangup", "fi",
		turn("booking", 100), turn("question", 100, "hours.md", "prices.md"), turn("goodbye", 100))
	repeat := func(caller string, after time.Duration, turns ...callstore.Turn) callstore.Call {
		return answered("repeat", caller, after, time.Second, time.Minute, "self_service", "bot-hangup", "fi", turns...)
	}
	day := 24 * time.Hour
	tests := []struct {
		name   string
		calls  []callstore.Call
		window time.Duration
		want   FCRStats
	}{
		{"alone", []callstore.Call{first}, 0, FCRStats{Eligible: 1, Resolved: 1, Rate: 1}},
		{"same topic within 7 days", []callstore.Call{first, repeat("+358401234567", 6*day, turn("question", 1, "hours.md"))}, 0,
			FCRStats{Eligible: 1, Repeated: 1}},
		{"same topic, caller as SIP URI", []callstore.Call{first, repeat(`"Liisa" <sip:+358 40 123 4567@pbx.example;user=phone>`, day, turn("question", 1, "hours.md"))}, 0,
			FCRStats{Eligible: 1, Repeated: 1}},
		{"same topic, 00 prefix", []callstore.Call{first, repeat("00358401234567", day, turn("question", 1, "hours.md"))}, 0,
			FCRStats{Eligible: 1, Repeated: 1}},
		{"other citation", []callstore.Call{first, repeat("+358401234567", day, turn("question", 1, "prices.md"))}, 0,
			FCRStats{Eligible: 1, Resolved: 1, Rate: 1}},
		{"other topic", []callstore.Call{first, repeat("+358401234567", day, turn("booking", 1))}, 0,
			FCRStats{Eligible: 1, Resolved: 1, Rate: 1}},
		{"same topic after 8 days", []callstore.Call{first, repeat("+358401234567", 8*day, turn("question", 1, "hours.md"))}, 0,
			FCRStats{Eligible: 1, Resolved: 1, Rate: 1}},
		{"same topic after 8 days, 10-day window", []callstore.Call{first, repeat("+358401234567", 8*day, turn("question", 1, "hours.md"))}, 10 * day,
			FCRStats{Eligible: 1, Repeated: 1}},
		{"other caller", []callstore.Call{first, repeat("+358409999999", day, turn("question", 1, "hours.md"))}, 0,
			FCRStats{Eligible: 1, Resolved: 1, Rate: 1}},
		{"repeat before the call", []callstore.Call{first, repeat("+358401234567", -day, turn("question", 1, "hours.md"))}, 0,
			FCRStats{Eligible: 1, Resolved: 1, Rate: 1}},
		{"unknown callers excluded", []callstore.Call{
			answered("a", "", 0, time.Second, time.Minute, "self_service", "bot-hangup", "fi", turn("booking", 1)),
			answered("b", "", 30*time.Minute, time.Second, time.Minute, "self_service", "bot-hangup", "fi", turn("booking", 1)),
			answered("c", "sip:anonymous@anonymous.invalid", 0, time.Second, time.Minute, "self_service", "bot-hangup", "fi", turn("booking", 1)),
			answered("d", "Restricted", 0, time.Second, time.Minute, "self_service", "bot-hangup", "fi", turn("booking", 1)),
		}, 0, FCRStats{UnknownCaller: 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Only the first call is in the period; the repeat may lie outside it.
			o := Options{Since: at(0), Until: at(time.Hour), FCRWindow: tc.window, Location: time.UTC}
			if got := Compute(tc.calls, o).FCR; got != tc.want {
				t.Errorf("FCR = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestTopic(t *testing.T) {
	tests := []struct {
		turns []callstore.Turn
		want  string
	}{
		{nil, ""},
		{[]callstore.Turn{turn("goodbye", 0), turn("unknown", 0)}, ""},
		{[]callstore.Turn{turn("question", 0, "a.md"), turn("booking", 0), turn("yes", 0)}, "booking"},
		{[]callstore.Turn{turn("booking", 0), turn("question", 0, "a.md", "b.md"), turn("", 0)}, "question:a.md"},
		{[]callstore.Turn{turn("question", 0)}, "question"},
		{[]callstore.Turn{turn("urgent", 0)}, "urgent"},
	}
	for _, tc := range tests {
		if got := Topic(callstore.Call{Turns: tc.turns}); got != tc.want {
			t.Errorf("Topic(%+v) = %q, want %q", tc.turns, got, tc.want)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 11, 5, 12, 0, 0, 0, time.Local)
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"", now.Add(-24 * time.Hour), false},
		{"24h", now.Add(-24 * time.Hour), false},
		{"90m", now.Add(-90 * time.Minute), false},
		{"2026-11-01", time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local), false},
		{"2026-11-01T08:30", time.Date(2026, 11, 1, 8, 30, 0, 0, time.Local), false},
		{"all", time.Time{}, false},
		{"-1h", time.Time{}, true},
		{"0s", time.Time{}, true},
		{"yesterday", time.Time{}, true},
		{"2026-13-01", time.Time{}, true},
	}
	for _, tc := range tests {
		got, err := ParseSince(tc.in, now)
		if (err != nil) != tc.wantErr || !got.Equal(tc.want) {
			t.Errorf("ParseSince(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestHandler(t *testing.T) {
	var gotSince time.Time
	h := Handler(func(ctx context.Context, since time.Time) ([]callstore.Call, error) {
		gotSince = since
		return mixed(), nil
	})
	get := func(target string) (*http.Response, string) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		res := rec.Result()
		body, _ := io.ReadAll(res.Body)
		return res, string(body)
	}

	res, body := get("/kpis?since=2026-11-01")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("HTML: status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if want := time.Date(2026, 11, 1, 0, 0, 0, 0, time.Local); !gotSince.Equal(want) {
		t.Errorf("load got since %v, want %v", gotSince, want)
	}
	for _, id := range []string{"kpi-total", "kpi-answered", "kpi-asa", "kpi-aht", "kpi-abandonment", "kpi-containment",
		"kpi-transfer", "kpi-fcr", "kpi-callback", "kpi-service-level", "kpi-latency-p50", "kpi-latency-p95",
		"chart-volume", "chart-timeline", "chart-routes", "table-languages"} {
		if !strings.Contains(body, `id="`+id+`"`) {
			t.Errorf("page has no id %q", id)
		}
	}
	for _, want := range []string{`<svg id="chart-volume"`, `data-route="handoff"`, `data-language="fi"`, "75.0%"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "http://", "https://", "ZgotmplZ"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}

	res, body = get("/?since=all&format=json")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("JSON: status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var r Report
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("JSON does not decode: %v\n%s", err, body)
	}
	if r.TotalCalls != 6 || r.ContainmentRate != 0.75 || !gotSince.IsZero() {
		t.Errorf("JSON report: total %d containment %v since %v", r.TotalCalls, r.ContainmentRate, gotSince)
	}

	res, _ = get("/")
	if res.StatusCode != http.StatusOK {
		t.Errorf("no since: status %d", res.StatusCode)
	}
	if d := time.Since(gotSince); d < 24*time.Hour || d > 25*time.Hour {
		t.Errorf("default since is %v ago, want 24h", d)
	}

	for _, q := range []string{"?since=yesterday", "?since=-5h", "?format=xml"} {
		res, body = get("/" + q)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "bad query parameter") {
			t.Errorf("%s: status %d body %q, want 400", q, res.StatusCode, body)
		}
	}

	// An empty period renders without errors.
	var b strings.Builder
	if err := Page(&b, Compute(nil, Options{})); err != nil || !strings.Contains(b.String(), `id="kpi-containment"`) {
		t.Errorf("empty page: %v", err)
	}
}

func TestLoadCalls(t *testing.T) {
	ctx := context.Background()
	s, err := callstore.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range mixed() {
		turns := c.Turns
		c.Turns = nil
		if err := s.Create(ctx, c); err != nil {
			t.Fatal(err)
		}
		for i, tr := range turns {
			tr.Index = i
			if err := s.AddTurn(ctx, c.ID, tr); err != nil {
				t.Fatal(err)
			}
		}
	}
	calls, err := LoadCalls(ctx, s, at(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	turns := 0
	for _, c := range calls {
		ids = append(ids, c.ID)
		turns += len(c.Turns)
	}
	if strings.Join(ids, ",") != "c6,c5,c4,c3" || turns != 3 {
		t.Errorf("loaded %v with %d turns, want c6,c5,c4,c3 with 3", ids, turns)
	}
	r := Compute(calls, Options{Location: time.UTC})
	if r.TotalCalls != 4 || r.TurnLatency != (LatencyStats{Turns: 2, P50MS: 400, P95MS: 500}) || r.FCR.Eligible != 1 {
		t.Errorf("report from store: %+v", r)
	}
}
