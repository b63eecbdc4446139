package ofd

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// GBK here is the two-byte code of GB/T 39595 text: ASCII bytes 0x00-0x7F, and pairs of a lead byte
// 0x81-0xFE with a trail byte 0x40-0x7E or 0x80-0xFE that map to a character. Single 0x80 (the CP936
// euro sign), 0xFF and GB18030 four-byte sequences are refused.

var (
	gbkOnce  sync.Once
	gbkValid [126 * 191]bool // [lead-0x81][trail-0x40]
)

func loadGBK() {
	gbkOnce.Do(func() {
		dec := simplifiedchinese.GBK.NewDecoder()
		var pair [2]byte
		for lead := 0x81; lead <= 0xFE; lead++ {
			for trail := 0x40; trail <= 0xFE; trail++ {
				if trail == 0x7F {
					continue
				}
				pair[0], pair[1] = byte(lead), byte(trail)
				out, err := dec.Bytes(pair[:])
				if err != nil {
					continue
				}
				r, n := utf8.DecodeRune(out)
				if r != utf8.RuneError && n == len(out) {
					gbkValid[(lead-0x81)*191+trail-0x40] = true
				}
			}
		}
	})
}

// gbkCheck returns the 0-based offset of the first byte that does not start a valid GBK character, or
// -1. A two-byte character cut by the end of b is invalid (fields are checked one by one, so a
// character straddling two fields is refused).
func gbkCheck(b []byte) int {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < 0x80 {
			continue
		}
		if c == 0x80 || c == 0xFF || i+1 >= len(b) {
			return i
		}
		t := b[i+1]
		if t < 0x40 || t == 0x7F || t == 0xFF {
			return i
		}
		loadGBK()
		if !gbkValid[int(c-0x81)*191+int(t-0x40)] {
			return i
		}
		i++
	}
	return -1
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// gbkDecode decodes checked GBK bytes to a UTF-8 string.
func gbkDecode(b []byte) string {
	if isASCII(b) {
		return string(b)
	}
	out, err := simplifiedchinese.GBK.NewDecoder().Bytes(b)
	if err != nil {
		return string(b)
	}
	return string(out)
}

// gbkEncode encodes a UTF-8 string to GBK; ok is false when a character has no GBK code (or encodes to
// something the reader refuses, like the euro sign 0x80).
func gbkEncode(s string) ([]byte, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return []byte(s), true
	}
	if !utf8.ValidString(s) {
		return nil, false
	}
	out, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil || gbkCheck(out) >= 0 {
		return nil, false
	}
	return out, true
}
