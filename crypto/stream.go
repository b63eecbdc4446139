package crypto

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Chunked AEAD streams: files of any size encrypted under one content key,
// in fixed-size chunks, each authenticated on its own, so that a reader
// never holds more than one chunk and any truncation, reordering,
// duplication or change of a chunk is detected (the STREAM construction of
// Hoang, Reyhanitabar, Rogaway and Vizár, "Online Authenticated-Encryption
// and its Nonce-Reuse Misuse-Resistance", 2015).
//
// Format, version 1 (all integers big-endian):
//
//	header  = "OTCS" || 0x01 (version) || cipher (0x01 aes-256-gcm, 0x02 sm4-gcm)
//	          || 0x00 0x00 (reserved) || prefix (8 random bytes)          16 bytes
//	chunk i = AEAD(key, nonce_i, plaintext_i, aad_i)    plaintext_i || 16-byte tag
//	nonce_i = prefix || uint32(i)                                          12 bytes
//	aad_i   = header || uint64(i) || final_i || caller aad
//
// Every chunk but the last holds exactly StreamChunkSize bytes of
// plaintext; the last holds 0 to StreamChunkSize bytes and is the only one
// with final_i = 0x01 (an empty file is one empty final chunk). A stream
// cut at a chunk boundary ends in a chunk sealed with final 0x00 and fails;
// chunks moved, repeated or taken from another stream (another prefix,
// another key, another caller aad) fail. The prefix is random per stream, so
// a content key may be reused for several streams (it is not: each record
// gets a fresh key) without nonce reuse for up to 2^32 streams.

// Stream format constants.
const (
	// StreamChunkSize is the plaintext size of every chunk but the last.
	StreamChunkSize = 64 << 10
	// StreamHeaderSize is the size of the stream header.
	StreamHeaderSize = 16
	// StreamOverhead is what each chunk adds to its plaintext (the tag).
	StreamOverhead = tagSize
	// MaxStreamChunks bounds the chunks of a stream (the counter is 32 bits):
	// a stream holds at most 2^32 * 64 KiB = 256 TiB.
	MaxStreamChunks = 1 << 32

	streamMagic   = "OTCS"
	streamVersion = 1
	streamPrefix  = 8
)

// ErrStream is returned by DecryptStream for any stream that does not
// authenticate: wrong key, wrong aad, a changed, missing, moved or extra
// byte, truncation. Like ErrDecrypt it does not say which.
var ErrStream = errors.New("crypto: stream authentication failed")

// ErrStreamFormat is returned by DecryptStream for a header it does not
// understand (not a stream, another version, another cipher than asked).
var ErrStreamFormat = errors.New("crypto: not an otcchain stream of this cipher (bad header)")

func streamCipherID(c ContentAlg) byte {
	switch c {
	case ContentAES256GCM:
		return 1
	case ContentSM4GCM:
		return 2
	}
	return 0
}

// NewContentKey returns a fresh random content key of the size alg needs
// (32 bytes for AES-256-GCM, 16 for SM4-GCM).
func NewContentKey(alg ContentAlg) ([]byte, error) {
	n := alg.keySize()
	if n == 0 {
		return nil, fmt.Errorf("crypto: unknown content cipher %q", alg)
	}
	k := make([]byte, n)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("crypto: content key: %w", err)
	}
	return k, nil
}

// StreamSize returns the size of the encrypted stream of a plaintext of
// plainSize bytes (-1 for a negative size or one beyond MaxStreamChunks).
func StreamSize(plainSize int64) int64 {
	if plainSize < 0 {
		return -1
	}
	chunks := (plainSize + StreamChunkSize - 1) / StreamChunkSize
	if chunks == 0 {
		chunks = 1
	}
	if chunks > MaxStreamChunks {
		return -1
	}
	return StreamHeaderSize + plainSize + chunks*StreamOverhead
}

func chunkAAD(dst, header []byte, i uint64, final bool, aad []byte) []byte {
	dst = append(dst[:0], header...)
	dst = binary.BigEndian.AppendUint64(dst, i)
	if final {
		dst = append(dst, 1)
	} else {
		dst = append(dst, 0)
	}
	return append(dst, aad...)
}

func chunkNonce(dst *[nonceSize]byte, header []byte, i uint64) []byte {
	copy(dst[:streamPrefix], header[StreamHeaderSize-streamPrefix:])
	binary.BigEndian.PutUint32(dst[streamPrefix:], uint32(i))
	return dst[:]
}

// EncryptStream reads src to its end and writes its encrypted stream to
// dst under key (NewContentKey(alg)), binding aad (for a record's file,
// exchange.ContentAAD(id)). It returns the bytes written to dst. The
// randomness of the prefix comes from crypto/rand.
func EncryptStream(dst io.Writer, src io.Reader, alg ContentAlg, key, aad []byte) (int64, error) {
	aead, err := contentAEAD(alg, key)
	if err != nil {
		return 0, fmt.Errorf("crypto: encrypt stream: %w", err)
	}
	header := make([]byte, StreamHeaderSize)
	copy(header, streamMagic)
	header[4], header[5] = streamVersion, streamCipherID(alg)
	if _, err := rand.Read(header[StreamHeaderSize-streamPrefix:]); err != nil {
		return 0, fmt.Errorf("crypto: encrypt stream: %w", err)
	}
	n, err := dst.Write(header)
	written := int64(n)
	if err != nil {
		return written, err
	}
	// Two buffers: the chunk being sealed and the next one, read first to
	// know whether the current chunk is the last.
	cur := make([]byte, StreamChunkSize, StreamChunkSize+tagSize)
	next := make([]byte, StreamChunkSize, StreamChunkSize+tagSize)
	out := make([]byte, 0, StreamChunkSize+tagSize)
	var ad []byte
	var nonce [nonceSize]byte
	fill := func(b []byte) (int, error) {
		k, err := io.ReadFull(src, b[:StreamChunkSize])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = nil
		}
		return k, err
	}
	curN, err := fill(cur)
	if err != nil {
		return written, err
	}
	for i := uint64(0); ; i++ {
		if i >= MaxStreamChunks {
			return written, errors.New("crypto: encrypt stream: more than 2^32 chunks")
		}
		final := curN < StreamChunkSize
		nextN := 0
		if !final {
			if nextN, err = fill(next); err != nil {
				return written, err
			}
			final = nextN == 0
		}
		ad = chunkAAD(ad, header, i, final, aad)
		out = aead.Seal(out[:0], chunkNonce(&nonce, header, i), cur[:curN], ad)
		n, err := dst.Write(out)
		written += int64(n)
		if err != nil {
			return written, err
		}
		if final {
			return written, nil
		}
		cur, next, curN = next, cur, nextN
	}
}

// DecryptStream reads an encrypted stream from src and writes its
// plaintext to dst, returning the plaintext bytes written. Each chunk is
// written only once it authenticated, but a stream failing later has
// already written its first chunks: write to a temporary file and keep it
// only when DecryptStream returns nil. Errors: ErrStreamFormat (a header
// not of this version and cipher), ErrStream (anything not authentic,
// including truncation and trailing data), or dst's and src's own errors.
func DecryptStream(dst io.Writer, src io.Reader, alg ContentAlg, key, aad []byte) (int64, error) {
	aead, err := contentAEAD(alg, key)
	if err != nil {
		return 0, fmt.Errorf("crypto: decrypt stream: %w", err)
	}
	header := make([]byte, StreamHeaderSize)
	if _, err := io.ReadFull(src, header); err != nil {
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return 0, ErrStreamFormat
		}
		return 0, err
	}
	if !bytes.Equal(header[:4], []byte(streamMagic)) || header[4] != streamVersion || header[5] != streamCipherID(alg) || header[6] != 0 || header[7] != 0 {
		return 0, ErrStreamFormat
	}
	br := bufio.NewReaderSize(src, StreamChunkSize+tagSize+1)
	buf := make([]byte, StreamChunkSize+tagSize)
	var plain, ad []byte
	var nonce [nonceSize]byte
	var written int64
	for i := uint64(0); ; i++ {
		if i >= MaxStreamChunks {
			return written, ErrStream
		}
		k, err := io.ReadFull(br, buf)
		final := false
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			final = true
		case err != nil:
			return written, err
		default:
			_, perr := br.Peek(1)
			if perr == io.EOF {
				final = true
			} else if perr != nil {
				return written, perr
			}
		}
		if k < tagSize {
			return written, ErrStream
		}
		ad = chunkAAD(ad, header, i, final, aad)
		plain, err = aead.Open(plain[:0], chunkNonce(&nonce, header, i), buf[:k], ad)
		if err != nil {
			return written, ErrStream
		}
		if len(plain) > 0 {
			n, err := dst.Write(plain)
			written += int64(n)
			if err != nil {
				return written, err
			}
		}
		if final {
			return written, nil
		}
	}
}
