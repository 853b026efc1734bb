package workflows

import "time"

// UnixMicro is how the SQLite stores (call records, tasks) keep a time:
// microseconds since 1970, 0 for the zero time.
func UnixMicro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// FromUnixMicro reads a time kept by UnixMicro, in UTC.
func FromUnixMicro(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}
