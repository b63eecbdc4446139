package proof

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emmansun/gmsm/sm3"

	"github.com/otcchain/otcchain/tx"
)

// maxJSONDepth bounds the nesting CheckFile walks (tx bodies are at most
// 1 MiB; this only guards the recursion).
const maxJSONDepth = 64

// CheckFile tells whether a file is bound to the receipt's transaction: it
// decodes the tx (envelope and body) and looks for the lower-case hex SHA-256
// or SM3 of fileBytes as a JSON string value (compared case-insensitively)
// anywhere in the tx's messages, batch items included. It returns the hex
// that matched. It checks only the receipt's tx bytes: call Verify first to
// know that they were committed.
func CheckFile(r *Receipt, fileBytes []byte) (string, error) {
	if r == nil {
		return "", errors.New("proof: check file: no receipt")
	}
	env, err := tx.Decode(r.Tx)
	if err != nil {
		return "", fmt.Errorf("proof: check file: %w", err)
	}
	body, err := tx.DecodeBody(env.Body)
	if err != nil {
		return "", fmt.Errorf("proof: check file: %w", err)
	}
	s := sha256.Sum256(fileBytes)
	m := sm3.Sum(fileBytes)
	want := []string{hex.EncodeToString(s[:]), hex.EncodeToString(m[:])}
	for _, msg := range body.Msgs {
		found, err := findString(msg.Value, want)
		if err != nil {
			return "", fmt.Errorf("proof: check file: message %q: %w", msg.Type, err)
		}
		if found != "" {
			return found, nil
		}
	}
	return "", fmt.Errorf("proof: file hash %s is not in the committed transaction (nor its sm3 %s)", want[0], want[1])
}

// findString returns the first of want that equals (case-insensitively) a
// string value (not an object key) in the JSON document v, or "".
func findString(v []byte, want []string) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(v))
	// inObject[i] tells whether container i is an object; keyNext whether
	// the next token in the innermost object is a key.
	var inObject []bool
	keyNext := false
	for {
		t, err := dec.Token()
		if err == io.EOF {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if d, ok := t.(json.Delim); ok && (d == '}' || d == ']') {
			inObject = inObject[:len(inObject)-1]
			keyNext = len(inObject) > 0 && inObject[len(inObject)-1]
			continue
		}
		if keyNext {
			keyNext = false
			continue
		}
		// t is a value: the next token of an enclosing object is a key.
		keyNext = len(inObject) > 0 && inObject[len(inObject)-1]
		switch t := t.(type) {
		case json.Delim:
			if len(inObject) == maxJSONDepth {
				return "", fmt.Errorf("JSON nested deeper than %d", maxJSONDepth)
			}
			inObject = append(inObject, t == '{')
			keyNext = t == '{'
		case string:
			for _, w := range want {
				if strings.EqualFold(t, w) {
					return w, nil
				}
			}
		}
	}
}
