package certificate

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// QRVersion is the first line of a certificate's QR payload. A change that
// an older ParseQR would misread gets a new version.
const QRVersion = "otcchain-certificate/1"

// MaxQRBytes bounds the payload ParseQR reads (a payload Make writes is a
// few hundred bytes).
const MaxQRBytes = 2048

// Ref is what a certificate's QR code carries: which receipt the
// certificate is of, the SHA-256 of that receipt (the attached
// receipt.json), and where to fetch it. Exactly one of TxHash and
// OutcomeKey is set.
type Ref struct {
	ChainID    string
	Height     int64
	TxHash     string // upper-case hex, as CometBFT writes it
	OutcomeKey string // e.g. "fund/confirmation/rs-bank:P1"
	SHA256     string // lowercase hex SHA-256 of the receipt file
	// Fetch is the receipt's API path (/v1/receipts/{hash} or
	// /v1/outcomes/{key}), prefixed by the node's URL when a node made the
	// certificate.
	Fetch string
}

// QR field names, in the order String writes them.
var qrFields = []string{"chain", "height", "tx", "outcome", "sha256", "fetch"}

// String is the QR payload: the version line, then one "name: value" line
// per field (chain, height, tx or outcome, sha256, fetch), readable as it
// is by any QR scanner.
func (r Ref) String() string {
	var b strings.Builder
	b.WriteString(QRVersion)
	line := func(k, v string) {
		if v != "" {
			b.WriteString("\n" + k + ": " + v)
		}
	}
	line("chain", r.ChainID)
	line("height", strconv.FormatInt(r.Height, 10))
	line("tx", r.TxHash)
	line("outcome", r.OutcomeKey)
	line("sha256", r.SHA256)
	line("fetch", r.Fetch)
	return b.String()
}

// ReceiptPath is the API path of a receipt: /v1/receipts/{hash}, or
// /v1/outcomes/{key} with each segment of the key escaped.
func ReceiptPath(txHash, outcomeKey string) string {
	if outcomeKey == "" {
		return "/v1/receipts/" + txHash
	}
	segs := strings.Split(outcomeKey, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return "/v1/outcomes/" + strings.Join(segs, "/")
}

// ParseQR reads a QR payload written by Ref.String. It refuses another
// version, unknown, repeated or missing fields, both or neither of tx and
// outcome, a height that is not a positive integer, a tx hash or SHA-256
// that is not 64 hex digits, and a fetch location that is neither an API
// path nor an http(s) URL of one.
func ParseQR(s string) (Ref, error) {
	var r Ref
	if len(s) > MaxQRBytes {
		return r, fmt.Errorf("certificate: QR payload of %d bytes exceeds %d", len(s), MaxQRBytes)
	}
	if !utf8.ValidString(s) {
		return r, errors.New("certificate: QR payload is not UTF-8")
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if lines[0] != QRVersion {
		if strings.HasPrefix(lines[0], "otcchain-certificate/") {
			return r, fmt.Errorf("certificate: QR payload version %q is not %q", lines[0], QRVersion)
		}
		return r, fmt.Errorf("certificate: not an otcchain certificate QR code (it starts %q, not %q)", clip(lines[0], 40), QRVersion)
	}
	seen := map[string]string{}
	for n, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ": ")
		if !ok {
			return r, fmt.Errorf("certificate: QR line %d %q is not \"name: value\"", n+2, clip(l, 40))
		}
		known := false
		for _, f := range qrFields {
			known = known || f == k
		}
		if !known {
			return r, fmt.Errorf("certificate: QR line %d: unknown field %q", n+2, clip(k, 40))
		}
		if _, dup := seen[k]; dup {
			return r, fmt.Errorf("certificate: QR field %q given twice", k)
		}
		if v == "" || strings.TrimSpace(v) != v || strings.ContainsFunc(v, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
			return r, fmt.Errorf("certificate: QR field %q is empty, padded or has control characters", k)
		}
		seen[k] = v
	}
	for _, k := range []string{"chain", "height", "sha256", "fetch"} {
		if seen[k] == "" {
			return r, fmt.Errorf("certificate: QR payload has no %q field", k)
		}
	}
	r.ChainID, r.TxHash, r.OutcomeKey, r.SHA256, r.Fetch = seen["chain"], seen["tx"], seen["outcome"], seen["sha256"], seen["fetch"]
	h, err := strconv.ParseInt(seen["height"], 10, 64)
	if err != nil || h < 1 || strconv.FormatInt(h, 10) != seen["height"] {
		return Ref{}, fmt.Errorf("certificate: QR height %q is not a positive integer", clip(seen["height"], 24))
	}
	r.Height = h
	switch {
	case r.TxHash == "" && r.OutcomeKey == "":
		return Ref{}, errors.New("certificate: QR payload names neither a tx nor an outcome")
	case r.TxHash != "" && r.OutcomeKey != "":
		return Ref{}, errors.New("certificate: QR payload names both a tx and an outcome")
	case r.TxHash != "" && !isHex(r.TxHash, true):
		return Ref{}, fmt.Errorf("certificate: QR tx hash %q is not 64 upper-case hex digits", clip(r.TxHash, 70))
	}
	if !isHex(r.SHA256, false) {
		return Ref{}, fmt.Errorf("certificate: QR sha256 %q is not 64 lowercase hex digits", clip(r.SHA256, 70))
	}
	path := r.Fetch
	if !strings.HasPrefix(path, "/") {
		u, err := url.Parse(r.Fetch)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Ref{}, fmt.Errorf("certificate: QR fetch %q is neither an API path nor an http(s) URL", clip(r.Fetch, 80))
		}
		path = u.EscapedPath()
		if i := strings.Index(path, "/v1/"); i >= 0 {
			path = path[i:]
		}
	}
	if want := ReceiptPath(r.TxHash, r.OutcomeKey); path != want {
		return Ref{}, fmt.Errorf("certificate: QR fetch %q does not end in the receipt's path %s", clip(r.Fetch, 80), want)
	}
	return r, nil
}

func isHex(s string, upper bool) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		ok := c >= '0' && c <= '9' || (upper && c >= 'A' && c <= 'F') || (!upper && c >= 'a' && c <= 'f')
		if !ok {
			return false
		}
	}
	return true
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
