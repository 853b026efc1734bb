package workflows

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// PostJSON POSTs v as JSON to url with header added (e.g. an
// Authorization header) through c (a 10 s client when nil). Any status
// but 2xx is an error, named after what (e.g. "booking webhook"), so the
// activity that called it retries. The notifiers of bookings and
// voicemail tasks share it.
func PostJSON(ctx context.Context, c *http.Client, url string, header http.Header, what string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: status %s", what, url, resp.Status)
	}
	return nil
}
