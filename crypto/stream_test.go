package crypto

import (
	"bytes"
	"errors"
	"io"
	mrand "math/rand/v2"
	"testing"
)

func streamRoundTrip(t *testing.T, alg ContentAlg, size int) {
	t.Helper()
	key, err := NewContentKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	plain := make([]byte, size)
	r := mrand.New(mrand.NewPCG(uint64(size), 7))
	for i := range plain {
		plain[i] = byte(r.Uint32())
	}
	aad := []byte("otcchain/exchange/content/v1\nR-1")
	var ct bytes.Buffer
	n, err := EncryptStream(&ct, bytes.NewReader(plain), alg, key, aad)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(ct.Len()) || n != StreamSize(int64(size)) {
		t.Fatalf("size %d: wrote %d, buffer %d, StreamSize %d", size, n, ct.Len(), StreamSize(int64(size)))
	}
	var out bytes.Buffer
	m, err := DecryptStream(&out, bytes.NewReader(ct.Bytes()), alg, key, aad)
	if err != nil {
		t.Fatalf("size %d: %v", size, err)
	}
	if m != int64(size) || !bytes.Equal(out.Bytes(), plain) {
		t.Fatalf("size %d: round trip differs (%d bytes)", size, m)
	}
}

func TestStreamRoundTrip(t *testing.T) {
	for _, alg := range []ContentAlg{ContentAES256GCM, ContentSM4GCM} {
		for _, size := range []int{0, 1, 100, StreamChunkSize - 1, StreamChunkSize, StreamChunkSize + 1, 2 * StreamChunkSize, 3*StreamChunkSize + 17} {
			streamRoundTrip(t, alg, size)
		}
	}
}

func TestContentKeySizes(t *testing.T) {
	for alg, want := range map[ContentAlg]int{ContentAES256GCM: 32, ContentSM4GCM: 16} {
		k, err := NewContentKey(alg)
		if err != nil || len(k) != want {
			t.Fatalf("%s: %d bytes, %v", alg, len(k), err)
		}
	}
	if _, err := NewContentKey("rot13"); err == nil {
		t.Fatal("unknown cipher accepted")
	}
	if _, err := EncryptStream(io.Discard, bytes.NewReader(nil), ContentAES256GCM, make([]byte, 16), nil); err == nil {
		t.Fatal("a 16-byte key for AES-256 accepted")
	}
}

func encryptFor(t *testing.T, alg ContentAlg, key, plain, aad []byte) []byte {
	t.Helper()
	var ct bytes.Buffer
	if _, err := EncryptStream(&ct, bytes.NewReader(plain), alg, key, aad); err != nil {
		t.Fatal(err)
	}
	return ct.Bytes()
}

func TestStreamTampering(t *testing.T) {
	alg := ContentAES256GCM
	key, _ := NewContentKey(alg)
	aad := []byte("ctx")
	plain := bytes.Repeat([]byte("0123456789abcdef"), (3*StreamChunkSize)/16) // exactly 3 chunks
	ct := encryptFor(t, alg, key, plain, aad)
	full := StreamChunkSize + StreamOverhead
	chunk := func(i int) []byte { return ct[StreamHeaderSize+i*full : StreamHeaderSize+(i+1)*full] }
	header := ct[:StreamHeaderSize]
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	flip := func(i int) []byte {
		b := bytes.Clone(ct)
		b[i] ^= 1
		return b
	}
	other, _ := NewContentKey(alg)
	cases := map[string]struct {
		ct   []byte
		key  []byte
		aad  []byte
		want error
	}{
		"truncated at a chunk boundary": {ct: join(header, chunk(0), chunk(1)), want: ErrStream},
		"truncated to the header":       {ct: header, want: ErrStream},
		"truncated inside a chunk":      {ct: ct[:len(ct)-5], want: ErrStream},
		"chunks swapped":                {ct: join(header, chunk(1), chunk(0), chunk(2)), want: ErrStream},
		"chunk repeated":                {ct: join(header, chunk(0), chunk(0), chunk(1), chunk(2)), want: ErrStream},
		"trailing byte":                 {ct: join(ct, []byte{0}), want: ErrStream},
		"byte flipped in chunk 1":       {ct: flip(StreamHeaderSize + full + 10), want: ErrStream},
		"prefix flipped":                {ct: flip(StreamHeaderSize - 1), want: ErrStream},
		"wrong aad":                     {ct: ct, aad: []byte("other"), want: ErrStream},
		"wrong key":                     {ct: ct, key: other, want: ErrStream},
		"bad magic":                     {ct: flip(0), want: ErrStreamFormat},
		"bad version":                   {ct: flip(4), want: ErrStreamFormat},
		"cipher changed":                {ct: flip(5), want: ErrStreamFormat},
		"empty":                         {ct: nil, want: ErrStreamFormat},
	}
	for name, c := range cases {
		k, a := key, aad
		if c.key != nil {
			k = c.key
		}
		if c.aad != nil {
			a = c.aad
		}
		_, err := DecryptStream(io.Discard, bytes.NewReader(c.ct), alg, k, a)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", name, err, c.want)
		}
	}
	// Splicing the final chunk of another stream under the same key fails
	// (another prefix).
	ct2 := encryptFor(t, alg, key, plain, aad)
	spliced := join(header, chunk(0), chunk(1), ct2[StreamHeaderSize+2*full:])
	if _, err := DecryptStream(io.Discard, bytes.NewReader(spliced), alg, key, aad); !errors.Is(err, ErrStream) {
		t.Errorf("spliced: %v", err)
	}
	// An SM4 reader refuses an AES stream by its header.
	sk, _ := NewContentKey(ContentSM4GCM)
	if _, err := DecryptStream(io.Discard, bytes.NewReader(ct), ContentSM4GCM, sk, aad); !errors.Is(err, ErrStreamFormat) {
		t.Errorf("sm4 on aes: %v", err)
	}
}

func TestStreamSize(t *testing.T) {
	if StreamSize(-1) != -1 || StreamSize(0) != StreamHeaderSize+StreamOverhead {
		t.Fatal("StreamSize of edge cases")
	}
	if got := StreamSize(StreamChunkSize + 1); got != StreamHeaderSize+StreamChunkSize+1+2*StreamOverhead {
		t.Fatalf("StreamSize(chunk+1) = %d", got)
	}
}

// FuzzDecryptStream feeds arbitrary streams to the reader: it must never
// panic, and must accept only what the writer produced.
func FuzzDecryptStream(f *testing.F) {
	key := bytes.Repeat([]byte{7}, 32)
	aad := []byte("fuzz")
	for _, n := range []int{0, 5, StreamChunkSize + 3} {
		var ct bytes.Buffer
		if _, err := EncryptStream(&ct, bytes.NewReader(make([]byte, n)), ContentAES256GCM, key, aad); err != nil {
			f.Fatal(err)
		}
		f.Add(ct.Bytes())
	}
	f.Add([]byte("OTCS\x01\x01\x00\x00abcdefgh"))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := DecryptStream(io.Discard, bytes.NewReader(b), ContentAES256GCM, key, aad)
		if err == nil && StreamSize(n) != int64(len(b)) {
			t.Fatalf("accepted %d bytes as a stream of %d plaintext bytes", len(b), n)
		}
	})
}

func BenchmarkEncryptStream(b *testing.B) {
	for _, alg := range []ContentAlg{ContentAES256GCM, ContentSM4GCM} {
		b.Run(string(alg), func(b *testing.B) {
			key, _ := NewContentKey(alg)
			plain := make([]byte, 16<<20)
			b.SetBytes(int64(len(plain)))
			for b.Loop() {
				if _, err := EncryptStream(io.Discard, bytes.NewReader(plain), alg, key, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecryptStream(b *testing.B) {
	for _, alg := range []ContentAlg{ContentAES256GCM, ContentSM4GCM} {
		b.Run(string(alg), func(b *testing.B) {
			key, _ := NewContentKey(alg)
			var ct bytes.Buffer
			if _, err := EncryptStream(&ct, bytes.NewReader(make([]byte, 16<<20)), alg, key, nil); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(16 << 20)
			for b.Loop() {
				if _, err := DecryptStream(io.Discard, bytes.NewReader(ct.Bytes()), alg, key, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
