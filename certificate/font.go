package certificate

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sync"
)

// The certificate's fonts, gzip-compressed TrueType fonts (glyf outlines,
// which fpdf subsets into each PDF with a ToUnicode map, so that text
// renders and extracts); see font/NOTICE for their sources and licences.
//
//   - cjkGz: Droid Sans Fallback Full (Debian fonts-droid-fallback
//     1:6.0.1r16-1.1, Apache-2.0) for Chinese;
//   - latinGz: DejaVu Sans Condensed (Debian fonts-dejavu-core 2.37-6,
//     Bitstream Vera licence) for everything else: the fallback font has
//     no Latin glyphs.
var (
	//go:embed font/DroidSansFallbackFull.ttf.gz
	cjkGz []byte
	//go:embed font/DejaVuSansCondensed.ttf.gz
	latinGz []byte
)

const (
	cjkFamily   = "droid"
	latinFamily = "dejavu"
)

var fonts = sync.OnceValues(func() ([2][]byte, error) {
	var out [2][]byte
	for i, gz := range [][]byte{cjkGz, latinGz} {
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return out, fmt.Errorf("certificate: font: %w", err)
		}
		if out[i], err = io.ReadAll(zr); err != nil {
			return out, fmt.Errorf("certificate: font: %w", err)
		}
	}
	return out, nil
})

// isCJK says which font draws r: the CJK font for CJK ideographs, symbols
// and punctuation, kana, Hangul and full-width forms; the Latin font for
// the rest.
func isCJK(r rune) bool {
	return r >= 0x2E80 && r <= 0x9FFF || r >= 0xAC00 && r <= 0xD7AF || r >= 0xF900 && r <= 0xFAFF ||
		r >= 0xFE30 && r <= 0xFE4F || r >= 0xFF00 && r <= 0xFFEF || r >= 0x20000 && r <= 0x2FA1F
}
