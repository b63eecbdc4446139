package client

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// BlobInfo is the answer to a blob upload.
type BlobInfo struct {
	Hash string `json:"hash"` // lowercase hex SHA-256 of the bytes
	Size int64  `json:"size"`
}

// PutBlob uploads size bytes of r to the node's blob store under hash (the
// lowercase hex SHA-256 of the bytes; the node checks it and stores nothing
// on a mismatch). It needs a token (Login). Errors: CodeHashMismatch,
// CodeBlobTooLarge (413), CodeNoBlobStore.
func (c *Client) PutBlob(ctx context.Context, hash string, r io.Reader, size int64) (*BlobInfo, error) {
	req, err := c.newRequest(ctx, http.MethodPut, "/v1/blobs/"+hash, nil, nil)
	if err != nil {
		return nil, err
	}
	req.Body = io.NopCloser(r)
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("client: PUT /v1/blobs/%s: %w", hash, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("client: PUT /v1/blobs/%s: read response: %w", hash, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, decodeError(resp.StatusCode, b)
	}
	var info BlobInfo
	if err := json.Unmarshal(b, &info); err != nil {
		return nil, fmt.Errorf("client: PUT /v1/blobs/%s: decode response: %w", hash, err)
	}
	return &info, nil
}

// GetBlob opens a blob of the node's store and returns its size and the
// record the node found it by. The caller must close the body and check the
// hash of what it reads. It needs a token of a reader of a record that
// references the blob. Errors: not_permitted (403, recorded in the node's
// access audit log), unknown_record (404), CodeBlobNotStored (404: the
// node does not keep it; fetch it from the record's blob.node).
func (c *Client) GetBlob(ctx context.Context, hash string) (io.ReadCloser, int64, string, error) {
	req, err := c.newRequest(ctx, http.MethodGet, "/v1/blobs/"+hash, nil, nil)
	if err != nil {
		return nil, 0, "", err
	}
	req.Header.Set("Accept", "application/octet-stream, application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, 0, "", fmt.Errorf("client: GET /v1/blobs/%s: %w", hash, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return nil, 0, "", decodeError(resp.StatusCode, b)
	}
	return resp.Body, resp.ContentLength, resp.Header.Get("X-Otc-Record"), nil
}
