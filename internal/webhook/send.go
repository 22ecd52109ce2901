package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Send posts body to url with its signature and reports the HTTP status. A 2xx answer is a
// delivery; anything else, or no answer, is an error to retry.
func Send(ctx context.Context, c *http.Client, url string, secret []byte, event string, id int64, body []byte, now time.Time) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("webhook %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "clearlist-webhook/1")
	req.Header.Set(Header, Sign(secret, now, body))
	req.Header.Set("Clearlist-Event", event)
	req.Header.Set("Clearlist-Delivery", fmt.Sprint(id)) // receivers de-duplicate retries by it
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}
