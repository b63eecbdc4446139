// Package attachment reads the receipt attached to an otcchain evidence
// certificate PDF (package certificate attaches it as receipt.json). It is
// the small, dependency-free part the verify page's WebAssembly needs to
// accept a certificate in place of a receipt: no PDF library, no fonts.
//
// It reads only what package certificate writes: one embedded file stream
// (/Type /EmbeddedFile) with a direct /Length, uncompressed or
// /FlateDecode, and its /Params /Size. Anything else is refused with a
// reason; the receipt it returns is then verified like any other.
package attachment

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Limits: a certificate is some tens of KB; a receipt some KB.
const (
	MaxPDF     = 16 << 20
	MaxReceipt = 4 << 20
)

// IsPDF reports whether b starts like a PDF file.
func IsPDF(b []byte) bool { return bytes.HasPrefix(b, []byte("%PDF-")) }

// Receipt returns the file attached to a certificate PDF.
func Receipt(pdf []byte) ([]byte, error) {
	if !IsPDF(pdf) {
		return nil, errors.New("not a PDF file (it does not start with %PDF-)")
	}
	if len(pdf) > MaxPDF {
		return nil, fmt.Errorf("the PDF is %d bytes; a certificate is at most %d", len(pdf), MaxPDF)
	}
	marker := []byte("/Type /EmbeddedFile")
	var found [][]byte
	for off := 0; ; {
		i := bytes.Index(pdf[off:], marker)
		if i < 0 {
			break
		}
		at := off + i
		off = at + len(marker)
		// "/Type /EmbeddedFiles" (a name tree) is not a file stream.
		if off < len(pdf) && isNameChar(pdf[off]) {
			continue
		}
		b, err := stream(pdf, at)
		if err != nil {
			return nil, fmt.Errorf("the attached file at byte %d: %w", at, err)
		}
		found = append(found, b)
	}
	switch len(found) {
	case 0:
		return nil, errors.New("the PDF has no attached file: an otcchain evidence certificate carries its receipt as receipt.json")
	case 1:
		return found[0], nil
	default:
		return nil, fmt.Errorf("the PDF has %d attached files; an otcchain evidence certificate has one, receipt.json", len(found))
	}
}

func isNameChar(c byte) bool {
	return c > ' ' && c < 0x7f && !bytes.ContainsRune([]byte("/<>[](){}%"), rune(c))
}

// stream decodes the stream of the object whose dictionary contains the
// byte at.
func stream(pdf []byte, at int) ([]byte, error) {
	start := bytes.LastIndex(pdf[:at], []byte("<<"))
	end := bytes.Index(pdf[at:], []byte("stream"))
	if start < 0 || end < 0 {
		return nil, errors.New("no stream dictionary")
	}
	dict := pdf[start : at+end]
	n, err := intAfter(dict, "/Length")
	if err != nil {
		return nil, err
	}
	p := at + end + len("stream")
	switch {
	case bytes.HasPrefix(pdf[p:], []byte("\r\n")):
		p += 2
	case bytes.HasPrefix(pdf[p:], []byte("\n")):
		p++
	default:
		return nil, errors.New("the stream keyword is not followed by an end of line")
	}
	if n < 0 || n > len(pdf)-p {
		return nil, fmt.Errorf("/Length %d runs past the end of the file", n)
	}
	data := pdf[p : p+n]
	if bytes.Contains(dict, []byte("/Filter")) {
		if !bytes.Contains(dict, []byte("/FlateDecode")) || bytes.Contains(dict, []byte("[")) {
			return nil, errors.New("an attached file is either uncompressed or /FlateDecode")
		}
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
		out, err := io.ReadAll(io.LimitReader(zr, MaxReceipt+1))
		if err != nil {
			return nil, fmt.Errorf("inflate: %w", err)
		}
		data = out
	}
	if len(data) > MaxReceipt {
		return nil, fmt.Errorf("the attached file is larger than %d bytes", MaxReceipt)
	}
	if size, err := intAfter(dict, "/Size"); err == nil && size != len(data) {
		return nil, fmt.Errorf("the attached file is %d bytes, its /Size says %d", len(data), size)
	}
	return data, nil
}

// intAfter reads the non-negative integer that follows key in dict.
func intAfter(dict []byte, key string) (int, error) {
	i := bytes.Index(dict, []byte(key))
	if i < 0 {
		return 0, fmt.Errorf("no %s", key)
	}
	rest := bytes.TrimLeft(dict[i+len(key):], " \r\n\t")
	j := 0
	for j < len(rest) && j < 10 && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	if j == 0 {
		return 0, fmt.Errorf("%s is not a direct integer", key)
	}
	return strconv.Atoi(string(rest[:j]))
}
