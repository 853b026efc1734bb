package booking

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vastaa/vastaa/workflows"
	"github.com/vastaa/vastaa/workflows/booking/when"
)

// Desk is the booking desk of the call workflow (workflows.Bookings): it
// understands the time a caller asks for, finds free slots across the
// resources that provide the service, and books, finds, moves and
// cancels appointments through the resource workflows.
type Desk struct {
	Client *Client
	// DefaultService is booked when the caller names none (default: the
	// first service of the configuration).
	DefaultService string
	// Now is the clock (tests); time.Now when nil.
	Now func() time.Time
}

var _ workflows.Bookings = (*Desk)(nil)

// searchAhead is how far past the asked-for window the desk looks for the
// nearest free slots, and how far "as soon as possible" looks.
const searchAhead = 14 * 24 * time.Hour

func (d *Desk) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Desk) cfg() *Config { return &d.Client.Config }

// Offer finds at most two free slots for what the caller said.
func (d *Desk) Offer(ctx context.Context, req workflows.OfferRequest) (workflows.Offer, error) {
	cfg, loc, now := d.cfg(), d.cfg().Location(), d.now()
	service := req.Service
	if service == "" {
		service = DetectService(req.Text, req.Language, cfg)
	}
	if service == "" {
		service = d.DefaultService
	}
	if service == "" && len(cfg.Services) > 0 {
		service = cfg.Services[0].ID
	}
	r, ok := when.Parse(req.Text, req.Language, now, loc)
	out := workflows.Offer{Service: service, Earliest: req.Earliest || r.Earliest}
	if !ok && !req.Earliest {
		return out, nil
	}
	out.Understood = true
	resources := cfg.ResourcesFor(service)
	if req.Resource != "" {
		resources = nil
		if res, ok := cfg.Resource(req.Resource); ok {
			resources = []Resource{res}
		}
	}
	if len(resources) == 0 {
		return out, fmt.Errorf("no resource provides %q", service)
	}
	from, to := r.From, r.To
	if out.Earliest {
		from, to = now, now.Add(searchAhead)
		if req.Within > 0 {
			to = now.Add(req.Within)
		}
	}
	if from.Before(now) {
		from = now
	}
	if to.IsZero() || !to.After(from) {
		to = from.Add(24 * time.Hour)
	}
	free, err := d.free(ctx, resources, service, from, to)
	if err != nil {
		return out, err
	}
	if len(free) > 0 {
		out.InWindow = true
		if !r.At.IsZero() {
			// A clock time was said: nearest to it first.
			sort.SliceStable(free, func(i, j int) bool { return absDur(free[i].Start.Sub(r.At)) < absDur(free[j].Start.Sub(r.At)) })
		}
	} else if !out.Earliest || req.Within == 0 {
		if free, err = d.free(ctx, resources, service, to, to.Add(searchAhead)); err != nil {
			return out, err
		}
	}
	out.Slots = pickTwo(free)
	for i := range out.Slots {
		out.Slots[i].Spoken = Spoken(cfg, out.Slots[i].Resource, service, out.Slots[i].Start, req.Language)
	}
	return out, nil
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// pickTwo takes the first two slots at different times.
func pickTwo(free []workflows.Slot) []workflows.Slot {
	var out []workflows.Slot
	for _, s := range free {
		if len(out) == 1 && out[0].Start.Equal(s.Start) {
			continue
		}
		out = append(out, s)
		if len(out) == 2 {
			break
		}
	}
	return out
}

// free lists the free slots of the resources in [from, to), soonest first.
func (d *Desk) free(ctx context.Context, resources []Resource, service string, from, to time.Time) ([]workflows.Slot, error) {
	loc := d.cfg().Location()
	var out []workflows.Slot
	for _, res := range resources {
		taken, err := d.Client.Bookings(ctx, res.ID)
		if err != nil {
			return nil, fmt.Errorf("bookings of %s: %w", res.ID, err)
		}
		for _, start := range res.Slots(from, to, loc) {
			busy := false
			end := start.Add(res.Slot)
			for _, b := range taken {
				if b.Status == Confirmed && b.Start.Before(end) && start.Before(b.End) {
					busy = true
					break
				}
			}
			if !busy {
				out = append(out, workflows.Slot{Resource: res.ID, Service: service, Start: start.UTC()})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// Book takes a slot.
func (d *Desk) Book(ctx context.Context, req workflows.BookSlot) (workflows.BookingInfo, error) {
	b, err := d.Client.Book(ctx, req.Slot.Resource, BookRequest{ID: req.ID, Service: req.Slot.Service, Start: req.Slot.Start,
		Caller: req.Caller, Language: req.Language})
	if IsTaken(err) {
		return workflows.BookingInfo{}, fmt.Errorf("%w: %w", workflows.ErrSlotTaken, err)
	}
	if err != nil {
		return workflows.BookingInfo{}, err
	}
	return d.info(b, req.Language), nil
}

func (d *Desk) info(b Booking, lang string) workflows.BookingInfo {
	return workflows.BookingInfo{ID: b.ID, Resource: b.Resource, Service: b.Service, Start: b.Start,
		Spoken: Spoken(d.cfg(), b.Resource, b.Service, b.Start, lang)}
}

// Find lists the caller's confirmed appointments still to come.
func (d *Desk) Find(ctx context.Context, caller, lang string) ([]workflows.BookingInfo, error) {
	if caller == "" {
		return nil, nil // an anonymous caller has no appointments we can find
	}
	now := d.now()
	var out []workflows.BookingInfo
	for _, res := range d.cfg().Resources {
		list, err := d.Client.Bookings(ctx, res.ID)
		if err != nil {
			return nil, fmt.Errorf("bookings of %s: %w", res.ID, err)
		}
		for _, b := range list {
			if b.Status == Confirmed && b.Caller == caller && b.End.After(now) {
				out = append(out, d.info(b, lang))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out, nil
}

// Cancel cancels an appointment.
func (d *Desk) Cancel(ctx context.Context, b workflows.BookingInfo) error {
	_, err := d.Client.Cancel(ctx, b.Resource, b.ID)
	return err
}

// Reschedule moves an appointment to another slot of its resource.
func (d *Desk) Reschedule(ctx context.Context, b workflows.BookingInfo, to workflows.Slot, lang string) (workflows.BookingInfo, error) {
	if to.Resource != b.Resource {
		return workflows.BookingInfo{}, fmt.Errorf("a move stays with %s, not %s", b.Resource, to.Resource)
	}
	nb, err := d.Client.Reschedule(ctx, b.Resource, RescheduleRequest{ID: b.ID, Start: to.Start})
	if IsTaken(err) {
		return workflows.BookingInfo{}, fmt.Errorf("%w: %w", workflows.ErrSlotTaken, err)
	}
	if err != nil {
		return workflows.BookingInfo{}, err
	}
	return d.info(nb, lang), nil
}

// serviceWords name services in callers' words, per service id, matched as
// word prefixes (Finnish and Latvian inflect: "hoitajalle", "māsai").
var serviceWords = map[string][]string{
	"nurse": {"nurse", "hoitaja", "sairaanhoitaja", "terveydenhoitaja", "sjuksköterska", "sköterska", "sjukskötare", "māsa", "māsu", "māsai", "māsas"},
	"lab":   {"lab", "laboratory", "blood test", "blood sample", "sample", "laboratorio", "verikoe", "verikokee", "näyte", "näytte", "labb", "blodprov", "prov", "laboratorij", "analīz", "asins"},
	"gp":    {"doctor", "gp", "physician", "lääkär", "lääkäri", "läkare", "läkar", "ārst"},
}

// DetectService finds the service a caller named, "" when none. Only
// services present in the configuration count.
func DetectService(text, lang string, cfg *Config) string {
	words := strings.Fields(strings.ToLower(text))
	joined := " " + strings.Join(words, " ") + " "
	for _, id := range []string{"nurse", "lab", "gp"} {
		if !cfg.hasService(id) {
			continue
		}
		for _, w := range serviceWords[id] {
			if strings.Contains(w, " ") {
				if strings.Contains(joined, " "+w) {
					return id
				}
				continue
			}
			for _, x := range words {
				if strings.HasPrefix(strings.Trim(x, ".,!?"), w) {
					return id
				}
			}
		}
	}
	// A configured service's own name, in any language.
	for _, s := range cfg.Services {
		for _, n := range s.Names {
			if n != "" && strings.Contains(joined, " "+strings.ToLower(n)) {
				return s.ID
			}
		}
	}
	return ""
}

func (c *Config) hasService(id string) bool {
	for _, s := range c.Services {
		if s.ID == id {
			return true
		}
	}
	return false
}

var (
	weekdayNames = map[string][7]string{
		"en": {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		"fi": {"sunnuntaina", "maanantaina", "tiistaina", "keskiviikkona", "torstaina", "perjantaina", "lauantaina"},
		"sv": {"söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"},
		"lv": {"svētdien", "pirmdien", "otrdien", "trešdien", "ceturtdien", "piektdien", "sestdien"},
	}
	monthNames = map[string][12]string{
		"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		"fi": {"tammikuuta", "helmikuuta", "maaliskuuta", "huhtikuuta", "toukokuuta", "kesäkuuta", "heinäkuuta", "elokuuta", "syyskuuta", "lokakuuta", "marraskuuta", "joulukuuta"},
		"sv": {"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"},
		"lv": {"janvārī", "februārī", "martā", "aprīlī", "maijā", "jūnijā", "jūlijā", "augustā", "septembrī", "oktobrī", "novembrī", "decembrī"},
	}
)

// Spoken says an appointment the way the bot speaks it in lang: the
// service, who, and the day and time in the clinic's time zone.
func Spoken(cfg *Config, resource, service string, start time.Time, lang string) string {
	if _, ok := weekdayNames[lang]; !ok {
		lang = "en"
	}
	t := start.In(cfg.Location())
	svc := service
	for _, s := range cfg.Services {
		if s.ID == service {
			if n := s.Names[lang]; n != "" {
				svc = n
			} else if n := s.Names["en"]; n != "" {
				svc = n
			}
		}
	}
	who := resource
	if r, ok := cfg.Resource(resource); ok && r.Name != "" {
		who = r.Name
	}
	wd, mo := weekdayNames[lang][t.Weekday()], monthNames[lang][t.Month()-1]
	switch lang {
	case "fi":
		return fmt.Sprintf("%s, %s, %s %d. %s kello %d.%02d", svc, who, wd, t.Day(), mo, t.Hour(), t.Minute())
	case "sv":
		return fmt.Sprintf("%s hos %s, %s den %d %s klockan %d.%02d", svc, who, wd, t.Day(), mo, t.Hour(), t.Minute())
	case "lv":
		return fmt.Sprintf("%s pie %s, %s, %d. %s, pulksten %d.%02d", svc, who, wd, t.Day(), mo, t.Hour(), t.Minute())
	}
	return fmt.Sprintf("%s with %s on %s %d %s at %d:%02d", svc, who, wd, t.Day(), mo, t.Hour(), t.Minute())
}
