package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/applinks/applinks/api/links"
)

// Client is a small JSON client of the REST API with a staff token.
type Client struct {
	Base  string
	HTTP  *http.Client
	Token string
}

// NewClient returns a client of the service at base with a pooled transport
// sized for load tests.
func NewClient(base string) *Client {
	tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: 30 * time.Second}
	return &Client{Base: strings.TrimRight(base, "/"), HTTP: &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// APIError is a non-2xx answer.
type APIError struct {
	Status int
	Body   string
}

func (e *APIError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body) }

// Do sends a JSON request and decodes a JSON answer into out (when non-nil).
// Non-2xx answers are *APIError.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &APIError{Status: resp.StatusCode, Body: string(b)}
	}
	if out != nil && len(b) > 0 {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Login signs in the bootstrap administrator and keeps the token.
func (c *Client) Login(ctx context.Context) error {
	var out struct {
		Token string `json:"token"`
	}
	if err := c.Do(ctx, http.MethodPost, "/api/v1/auth/login", map[string]string{"email": AdminEmail, "password": AdminPassword}, &out); err != nil {
		return fmt.Errorf("staff login: %w", err)
	}
	c.Token = out.Token
	return nil
}

// Queue starts an operation: action is enable, disable or sync.
func (c *Client) Queue(ctx context.Context, module, action string) (links.Operation, error) {
	var op links.Operation
	err := c.Do(ctx, http.MethodPost, "/api/v1/applications/"+module+"/"+action, nil, &op)
	return op, err
}

// Status reads the application status.
func (c *Client) Status(ctx context.Context, module string) (links.ApplicationStatus, error) {
	var st links.ApplicationStatus
	err := c.Do(ctx, http.MethodGet, "/api/v1/applications/"+module+"/status", nil, &st)
	return st, err
}

// Operation reads one operation with its servers.
func (c *Client) Operation(ctx context.Context, id int64) (links.OperationDetail, error) {
	var op links.OperationDetail
	err := c.Do(ctx, http.MethodGet, fmt.Sprintf("/api/v1/operations/%d", id), nil, &op)
	return op, err
}

// WaitOperation polls the operation every poll until it is no longer open,
// or timeout. Transport errors (a restarting service) are retried.
func (c *Client) WaitOperation(ctx context.Context, id int64, poll, timeout time.Duration) (links.OperationDetail, error) {
	deadline := time.Now().Add(timeout)
	var last links.OperationDetail
	var lastErr error
	for time.Now().Before(deadline) {
		op, err := c.Operation(ctx, id)
		if err == nil {
			last = op
			if !op.Open() {
				return op, nil
			}
		} else {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(poll):
		}
	}
	return last, fmt.Errorf("operation %d still %s after %s (last error: %v)", id, last.State, timeout, lastErr)
}

// LogEntries reads every entry of the application's last operation, page
// by page.
func (c *Client) LogEntries(ctx context.Context, module string, query string) ([]links.LogEntry, error) {
	var all []links.LogEntry
	for page := 1; page <= 10000; page++ {
		var out struct {
			Items []links.LogEntry `json:"items"`
			Data  []links.LogEntry `json:"data"`
			Total int64            `json:"total"`
		}
		path := fmt.Sprintf("/api/v1/applications/%s/log?page=%d&per_page=200", module, page)
		if query != "" {
			path += "&" + query
		}
		if err := c.Do(ctx, http.MethodGet, path, nil, &out); err != nil {
			return all, err
		}
		items := out.Items
		if items == nil {
			items = out.Data
		}
		all = append(all, items...)
		if len(items) == 0 || (out.Total > 0 && int64(len(all)) >= out.Total) {
			break
		}
	}
	return all, nil
}
