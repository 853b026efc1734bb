package sipua

import "github.com/vastaa/vastaa/media"

// formatOf describes a media codec as an SDP payload format.
func formatOf(c media.Codec) Format {
	return Format{Name: c.Name, PayloadType: c.PayloadType, ClockRate: uint32(c.ClockRate)}
}
