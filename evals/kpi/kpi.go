// Package kpi computes contact-centre KPIs from call records: volumes, speed
// of answer, handle time, abandonment, containment, transfers, first-contact
// resolution, callbacks, service level and turn latency.
//
// Every figure is defined in a comment on its Report field; rates are
// fractions between 0 and 1 and are 0 when their denominator is 0.
package kpi

import (
	"context"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vastaa/vastaa/pipeline"
	"github.com/vastaa/vastaa/workflows/callstore"
)

// Defaults of Options.
const (
	DefaultServiceLevel = 20 * time.Second
	DefaultFCRWindow    = 7 * 24 * time.Hour
)

// Options choose the period and the thresholds of a report.
type Options struct {
	// Since and Until bound the calls counted, by start time: Since
	// inclusive, Until exclusive; a zero value means unbounded. Calls outside
	// the period are still used to find repeat calls for first-contact
	// resolution.
	Since, Until time.Time
	// ServiceLevel is the answer-time target; 0 means 20s.
	ServiceLevel time.Duration
	// FCRWindow is how long after a call a repeat call on the same topic
	// means the first call did not resolve it; 0 means 7 days.
	FCRWindow time.Duration
	// Location is the time zone of the hour-of-day and date-hour volumes;
	// nil means the local time zone.
	Location *time.Location
}

// Report holds the KPIs of a set of calls. Rates are fractions in [0, 1].
type Report struct {
	Since               time.Time `json:"since,omitzero"`
	Until               time.Time `json:"until,omitzero"`
	ServiceLevelSeconds float64   `json:"service_level_target_s"`
	FCRWindowHours      float64   `json:"fcr_window_h"`

	// TotalCalls counts every call started in the period, in progress too.
	TotalCalls int `json:"total_calls"`
	// AnsweredCalls have an answer time.
	AnsweredCalls int `json:"answered_calls"`
	// RejectedCalls ended with a reason starting "rejected" (e.g. no
	// common codec): they never reached the bot.
	RejectedCalls int `json:"rejected_calls"`
	// OfferedCalls = TotalCalls - RejectedCalls.
	OfferedCalls int `json:"offered_calls"`
	// InProgressCalls have no end time yet.
	InProgressCalls int `json:"in_progress_calls"`

	// VolumeByHour counts calls by the hour of day they started (0-23).
	VolumeByHour [24]int `json:"volume_by_hour"`
	// Volume counts calls per date-hour, oldest first, from the hour of the
	// first call to the hour of the last with empty hours as 0.
	Volume []HourCount `json:"volume"`

	// AvgSpeedOfAnswerSeconds is the mean of AnsweredAt - StartedAt over
	// answered calls.
	AvgSpeedOfAnswerSeconds float64 `json:"avg_speed_of_answer_s"`
	// AvgHandleTimeSeconds is the mean of EndedAt - AnsweredAt over
	// answered calls that have ended.
	AvgHandleTimeSeconds float64 `json:"avg_handle_time_s"`

	// AbandonedCalls are offered calls the caller gave up on before being
	// served: (a) calls never answered that ended by the caller hanging up
	// or cancelling (end reason "caller-hangup…" or "cancelled"), plus (b)
	// answered calls routed to handoff — the caller was waiting for a person
	// — that ended with a caller hang-up ("caller-hangup…").
	// AbandonmentRate = AbandonedCalls / OfferedCalls.
	AbandonedCalls  int     `json:"abandoned_calls"`
	AbandonmentRate float64 `json:"abandonment_rate"`

	// ContainedCalls are answered calls whose final route is not handoff:
	// the bot served them without a person. ContainmentRate =
	// ContainedCalls / AnsweredCalls.
	ContainedCalls  int     `json:"contained_calls"`
	ContainmentRate float64 `json:"containment_rate"`
	// TransferredCalls are calls whose final route is handoff (only
	// answered calls can be routed). TransferRate = TransferredCalls /
	// AnsweredCalls, so ContainmentRate + TransferRate = 1 when any call
	// was answered.
	TransferredCalls int     `json:"transferred_calls"`
	TransferRate     float64 `json:"transfer_rate"`

	// FCR is first-contact resolution; see FCRStats.
	FCR FCRStats `json:"fcr"`

	// CallbackCalls have route "callback" or an end reason starting with
	// "callback". CallbackRate = CallbackCalls / OfferedCalls. The bot does
	// not offer callbacks yet, so this is 0 until callbacks are recorded
	// (they arrive with a later change).
	CallbackCalls int     `json:"callback_calls"`
	CallbackRate  float64 `json:"callback_rate"`

	// AnsweredInServiceLevel are answered calls with AnsweredAt - StartedAt
	// <= the service-level target. ServiceLevelRate =
	// AnsweredInServiceLevel / AnsweredCalls.
	AnsweredInServiceLevel int     `json:"answered_in_service_level"`
	ServiceLevelRate       float64 `json:"service_level_rate"`

	// ByLanguage and ByRoute break the calls down by the call's final
	// language ("unknown" when none) and route ("none" when none), most
	// calls first.
	ByLanguage []LanguageStats `json:"by_language"`
	ByRoute    []Count         `json:"by_route"`

	// TurnLatency is the caller-felt latency of bot turns: Timings.FirstAudio
	// (end of the caller's speech to the first reply packet on the wire).
	TurnLatency LatencyStats `json:"turn_latency"`
}

// HourCount is the number of calls started in one hour.
type HourCount struct {
	Hour  time.Time `json:"hour"`
	Calls int       `json:"calls"`
}

// Count is a number of calls with one value of a field.
type Count struct {
	Key   string `json:"key"`
	Calls int    `json:"calls"`
}

// LanguageStats are the calls in one language.
type LanguageStats struct {
	Language    string `json:"language"`
	Calls       int    `json:"calls"`
	Answered    int    `json:"answered"`
	Contained   int    `json:"contained"`
	Transferred int    `json:"transferred"`
	Abandoned   int    `json:"abandoned"`
}

// FCRStats is first-contact resolution. Eligible calls are answered calls
// from a known caller number. An eligible call is resolved when the same
// caller made no other call with the same topic that started after it and
// within the FCR window (repeat calls may lie outside the report period).
// The topic of a call is its last non-empty turn intent among question,
// booking, reschedule, cancel, voicemail, human and urgent; for a question
// it is "question:" and the turn's first citation when there is one. A call
// without such an intent has the empty topic, which repeats too (a caller
// who twice got nowhere). Rate = Resolved / Eligible. Calls from an empty,
// anonymous or otherwise unknown number cannot be followed and are counted
// in UnknownCaller instead.
type FCRStats struct {
	Eligible      int     `json:"eligible"`
	Resolved      int     `json:"resolved"`
	Repeated      int     `json:"repeated"`
	UnknownCaller int     `json:"unknown_caller"`
	Rate          float64 `json:"rate"`
}

// LatencyStats summarises turn latencies in milliseconds; percentiles are
// nearest-rank over turns with a positive FirstAudio.
type LatencyStats struct {
	Turns int     `json:"turns"`
	P50MS float64 `json:"p50_ms"`
	P95MS float64 `json:"p95_ms"`
}

// Routes and end reasons the KPIs look at.
const (
	routeHandoff  = pipeline.RouteHandoff
	routeCallback = "callback"
)

func isRejected(c callstore.Call) bool { return strings.HasPrefix(c.EndReason, "rejected") }

func isCallerHangup(c callstore.Call) bool { return strings.HasPrefix(c.EndReason, "caller-hangup") }

func isAnswered(c callstore.Call) bool { return !c.AnsweredAt.IsZero() }

// isAbandoned implements the definition on Report.AbandonedCalls.
func isAbandoned(c callstore.Call) bool {
	if isRejected(c) || c.EndedAt.IsZero() {
		return false
	}
	if !isAnswered(c) {
		return isCallerHangup(c) || c.EndReason == "cancelled"
	}
	return c.Route == routeHandoff && isCallerHangup(c)
}

func isCallback(c callstore.Call) bool {
	return c.Route == routeCallback || strings.HasPrefix(c.EndReason, "callback")
}

// Compute works out the KPIs of the calls started in o's period.
func Compute(calls []callstore.Call, o Options) Report {
	if o.ServiceLevel <= 0 {
		o.ServiceLevel = DefaultServiceLevel
	}
	if o.FCRWindow <= 0 {
		o.FCRWindow = DefaultFCRWindow
	}
	loc := o.Location
	if loc == nil {
		loc = time.Local
	}
	r := Report{
		Since: o.Since, Until: o.Until,
		ServiceLevelSeconds: o.ServiceLevel.Seconds(),
		FCRWindowHours:      o.FCRWindow.Hours(),
		Volume:              []HourCount{},
		ByLanguage:          []LanguageStats{},
		ByRoute:             []Count{},
	}
	in := func(c callstore.Call) bool {
		return (o.Since.IsZero() || !c.StartedAt.Before(o.Since)) && (o.Until.IsZero() || c.StartedAt.Before(o.Until))
	}
	var asa, aht time.Duration
	var ahtN int
	var latencies []float64
	langs := map[string]*LanguageStats{}
	routes := map[string]int{}
	hours := map[int64]int{}
	var firstHour, lastHour time.Time
	for _, c := range calls {
		if !in(c) {
			continue
		}
		r.TotalCalls++
		lang := c.Language
		if lang == "" {
			lang = "unknown"
		}
		ls := langs[lang]
		if ls == nil {
			ls = &LanguageStats{Language: lang}
			langs[lang] = ls
		}
		ls.Calls++
		route := c.Route
		if route == "" {
			route = "none"
		}
		routes[route]++

		st := c.StartedAt.In(loc)
		r.VolumeByHour[st.Hour()]++
		h := time.Date(st.Year(), st.Month(), st.Day(), st.Hour(), 0, 0, 0, loc)
		hours[h.Unix()]++
		if firstHour.IsZero() || h.Before(firstHour) {
			firstHour = h
		}
		if lastHour.IsZero() || h.After(lastHour) {
			lastHour = h
		}

		if c.EndedAt.IsZero() {
			r.InProgressCalls++
		}
		if isRejected(c) {
			r.RejectedCalls++
		}
		if isAbandoned(c) {
			r.AbandonedCalls++
			ls.Abandoned++
		}
		if isCallback(c) {
			r.CallbackCalls++
		}
		if c.Route == routeHandoff {
			r.TransferredCalls++
			ls.Transferred++
		}
		if isAnswered(c) {
			r.AnsweredCalls++
			ls.Answered++
			wait := max(c.AnsweredAt.Sub(c.StartedAt), 0)
			asa += wait
			if wait <= o.ServiceLevel {
				r.AnsweredInServiceLevel++
			}
			if !c.EndedAt.IsZero() {
				aht += max(c.EndedAt.Sub(c.AnsweredAt), 0)
				ahtN++
			}
			if c.Route != routeHandoff {
				r.ContainedCalls++
				ls.Contained++
			}
		}
		for _, t := range c.Turns {
			if t.Timings.FirstAudio > 0 {
				latencies = append(latencies, t.Timings.FirstAudio)
			}
		}
	}
	r.OfferedCalls = r.TotalCalls - r.RejectedCalls
	r.AvgSpeedOfAnswerSeconds = ratio(asa.Seconds(), r.AnsweredCalls)
	r.AvgHandleTimeSeconds = ratio(aht.Seconds(), ahtN)
	r.AbandonmentRate = ratio(float64(r.AbandonedCalls), r.OfferedCalls)
	r.ContainmentRate = ratio(float64(r.ContainedCalls), r.AnsweredCalls)
	r.TransferRate = ratio(float64(r.TransferredCalls), r.AnsweredCalls)
	r.CallbackRate = ratio(float64(r.CallbackCalls), r.OfferedCalls)
	r.ServiceLevelRate = ratio(float64(r.AnsweredInServiceLevel), r.AnsweredCalls)

	if !firstHour.IsZero() {
		// Step in absolute hours so daylight-saving changes neither skip
		// nor repeat a bucket.
		for h := firstHour; !h.After(lastHour); h = h.Add(time.Hour) {
			r.Volume = append(r.Volume, HourCount{Hour: h, Calls: hours[h.Unix()]})
		}
	}
	for _, ls := range langs {
		r.ByLanguage = append(r.ByLanguage, *ls)
	}
	sort.Slice(r.ByLanguage, func(i, j int) bool {
		a, b := r.ByLanguage[i], r.ByLanguage[j]
		if a.Calls != b.Calls {
			return a.Calls > b.Calls
		}
		return a.Language < b.Language
	})
	r.ByRoute = sortedCounts(routes)
	r.FCR = computeFCR(calls, in, o.FCRWindow)
	r.TurnLatency = latencyStats(latencies)
	return r
}

func ratio(num float64, den int) float64 {
	if den == 0 {
		return 0
	}
	return num / float64(den)
}

func sortedCounts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, Calls: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Calls != out[j].Calls {
			return out[i].Calls > out[j].Calls
		}
		return out[i].Key < out[j].Key
	})
	return out
}

// latencyStats gives nearest-rank percentiles: the value at rank ceil(p*n).
func latencyStats(v []float64) LatencyStats {
	s := LatencyStats{Turns: len(v)}
	if len(v) == 0 {
		return s
	}
	sort.Float64s(v)
	rank := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(v)))) - 1
		return v[min(max(i, 0), len(v)-1)]
	}
	s.P50MS, s.P95MS = rank(0.50), rank(0.95)
	return s
}

// topicIntents are the intents that say what a call was about.
var topicIntents = map[string]bool{
	string(pipeline.IntentQuestion): true, string(pipeline.IntentBooking): true,
	string(pipeline.IntentReschedule): true, string(pipeline.IntentCancel): true,
	string(pipeline.IntentVoicemail): true, string(pipeline.IntentHuman): true,
	string(pipeline.IntentUrgent): true,
}

// Topic is what a call was about, for first-contact resolution: the last
// turn intent among question, booking, reschedule, cancel, voicemail, human
// and urgent; for a question, "question:" and the turn's first citation
// when it has one. It is "" when no turn has such an intent.
func Topic(c callstore.Call) string {
	for i := len(c.Turns) - 1; i >= 0; i-- {
		t := c.Turns[i]
		if !topicIntents[t.Intent] {
			continue
		}
		if t.Intent == string(pipeline.IntentQuestion) && len(t.Citations) > 0 && t.Citations[0] != "" {
			return t.Intent + ":" + t.Citations[0]
		}
		return t.Intent
	}
	return ""
}

// CallerKey normalises a caller (phone number or SIP URI) so that the same
// person's calls match: display name, scheme, host and parameters are
// dropped, as are spaces, dashes, dots and parentheses; a leading 00 becomes
// +. It returns "" for an empty, anonymous, unknown, private or restricted
// caller.
func CallerKey(caller string) string {
	s := strings.TrimSpace(caller)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	low := strings.ToLower(s)
	for _, scheme := range []string{"sips:", "sip:", "tel:"} {
		if strings.HasPrefix(low, scheme) {
			s = s[len(scheme):]
			break
		}
	}
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')', '\t':
			return -1
		}
		return r
	}, s)
	switch strings.ToLower(s) {
	case "", "anonymous", "unknown", "unavailable", "private", "restricted", "withheld", "+", "0":
		return ""
	}
	if strings.HasPrefix(s, "00") {
		s = "+" + s[2:]
	}
	return s
}

func computeFCR(calls []callstore.Call, in func(callstore.Call) bool, window time.Duration) FCRStats {
	type contact struct {
		at    time.Time
		id    string
		topic string
	}
	byCaller := map[string][]contact{}
	for _, c := range calls {
		if isRejected(c) {
			continue
		}
		if k := CallerKey(c.Caller); k != "" {
			byCaller[k] = append(byCaller[k], contact{c.StartedAt, c.ID, Topic(c)})
		}
	}
	var s FCRStats
	for _, c := range calls {
		if !in(c) || !isAnswered(c) {
			continue
		}
		k := CallerKey(c.Caller)
		if k == "" {
			s.UnknownCaller++
			continue
		}
		s.Eligible++
		topic := Topic(c)
		repeated := false
		for _, o := range byCaller[k] {
			if o.id == c.ID || !o.at.After(c.StartedAt) || o.at.Sub(c.StartedAt) > window {
				continue
			}
			if o.topic == topic {
				repeated = true
				break
			}
		}
		if repeated {
			s.Repeated++
		} else {
			s.Resolved++
		}
	}
	s.Rate = ratio(float64(s.Resolved), s.Eligible)
	return s
}

// LoadCalls lists the calls started at or after since (all calls for a zero
// since) from the store, each with its turns.
func LoadCalls(ctx context.Context, s *callstore.Store, since time.Time) ([]callstore.Call, error) {
	list, err := s.List(ctx, callstore.ListOptions{Since: since, Limit: math.MaxInt32})
	if err != nil {
		return nil, fmt.Errorf("list calls: %w", err)
	}
	out := make([]callstore.Call, 0, len(list))
	for _, c := range list {
		if c.TurnCount > 0 && len(c.Turns) == 0 {
			full, err := s.Get(ctx, c.ID)
			if err != nil {
				return nil, err
			}
			c = full
		}
		out = append(out, c)
	}
	return out, nil
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

func secs(f float64) string {
	return (time.Duration(f * float64(time.Second))).Round(100 * time.Millisecond).String()
}

// WriteText writes the report as aligned tables for a terminal.
func (r Report) WriteText(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	period := "all calls"
	switch {
	case !r.Since.IsZero() && !r.Until.IsZero():
		period = r.Since.Local().Format("2006-01-02 15:04") + " to " + r.Until.Local().Format("2006-01-02 15:04")
	case !r.Since.IsZero():
		period = "since " + r.Since.Local().Format("2006-01-02 15:04")
	case !r.Until.IsZero():
		period = "until " + r.Until.Local().Format("2006-01-02 15:04")
	}
	fmt.Fprintf(tw, "KPI\tVALUE\tDETAIL\n")
	fmt.Fprintf(tw, "period\t%s\t\n", period)
	fmt.Fprintf(tw, "calls\t%d\t%d offered, %d rejected, %d in progress\n", r.TotalCalls, r.OfferedCalls, r.RejectedCalls, r.InProgressCalls)
	fmt.Fprintf(tw, "answered\t%d\t\n", r.AnsweredCalls)
	fmt.Fprintf(tw, "avg speed of answer\t%s\t\n", secs(r.AvgSpeedOfAnswerSeconds))
	fmt.Fprintf(tw, "avg handle time\t%s\t\n", secs(r.AvgHandleTimeSeconds))
	fmt.Fprintf(tw, "service level\t%s\t%d of %d answered within %s\n", pct(r.ServiceLevelRate), r.AnsweredInServiceLevel, r.AnsweredCalls, secs(r.ServiceLevelSeconds))
	fmt.Fprintf(tw, "abandonment\t%s\t%d of %d offered\n", pct(r.AbandonmentRate), r.AbandonedCalls, r.OfferedCalls)
	fmt.Fprintf(tw, "containment\t%s\t%d of %d answered without handoff\n", pct(r.ContainmentRate), r.ContainedCalls, r.AnsweredCalls)
	fmt.Fprintf(tw, "transfer\t%s\t%d of %d answered to handoff\n", pct(r.TransferRate), r.TransferredCalls, r.AnsweredCalls)
	fmt.Fprintf(tw, "first-contact resolution\t%s\t%d of %d, %d repeated within %gh, %d unknown callers\n",
		pct(r.FCR.Rate), r.FCR.Resolved, r.FCR.Eligible, r.FCR.Repeated, r.FCRWindowHours, r.FCR.UnknownCaller)
	fmt.Fprintf(tw, "callback\t%s\t%d of %d offered\n", pct(r.CallbackRate), r.CallbackCalls, r.OfferedCalls)
	fmt.Fprintf(tw, "turn latency p50\t%.0f ms\tfirst audio, %d turns\n", r.TurnLatency.P50MS, r.TurnLatency.Turns)
	fmt.Fprintf(tw, "turn latency p95\t%.0f ms\t\n", r.TurnLatency.P95MS)
	tw.Flush()

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "LANGUAGE\tCALLS\tANSWERED\tCONTAINED\tTRANSFERRED\tABANDONED\t\n")
	for _, l := range r.ByLanguage {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", l.Language, l.Calls, l.Answered, l.Contained, l.Transferred, l.Abandoned)
	}
	tw.Flush()

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "ROUTE\tCALLS\tSHARE\t\n")
	for _, c := range r.ByRoute {
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", c.Key, c.Calls, pct(ratio(float64(c.Calls), r.TotalCalls)))
	}
	tw.Flush()

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "HOUR\tCALLS\t\n")
	peak := 0
	for _, n := range r.VolumeByHour {
		peak = max(peak, n)
	}
	for h, n := range r.VolumeByHour {
		bar := ""
		if peak > 0 {
			bar = strings.Repeat("#", (n*30+peak-1)/peak)
		}
		fmt.Fprintf(tw, "%02d\t%d\t %s\n", h, n, bar)
	}
	tw.Flush()
}
