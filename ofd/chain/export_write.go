package chain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/otcchain/otcchain/ofd"
)

// ExportedFile describes a file written by WriteExportDir.
type ExportedFile struct {
	Name    string `json:"name"`
	Type    string `json:"type"` // "02".."07", "OFI" for the index
	Records int    `json:"records"`
	Bytes   int64  `json:"bytes"`
	SHA256  string `json:"sha256"`
}

// Write writes the file in the standard's format (GBK, CRLF, header with
// the field list and record count, OFDCFEND).
func (f *ExportFile) Write(w io.Writer) error {
	h := f.Header
	h.Count = len(f.Records)
	ow, err := ofd.NewWriter(w, h)
	if err != nil {
		return err
	}
	for i, r := range f.Records {
		if err := ow.Write(r); err != nil {
			return fmt.Errorf("record %d: %w", i+1, err)
		}
	}
	return ow.Close()
}

// WriteExportDir writes the files into dir, each atomically (a temp file in dir,
// synced, renamed), then the OFI index listing them (when there is at least
// one file; all files must share creator, receiver, date and version).
func WriteExportDir(dir string, files []*ExportFile) ([]ExportedFile, error) {
	var out []ExportedFile
	var names []string
	for _, f := range files {
		var buf bytes.Buffer
		if err := f.Write(&buf); err != nil {
			return out, fmt.Errorf("%s: %w", f.Name(), err)
		}
		w, err := writeAtomic(dir, f.Name(), buf.Bytes())
		if err != nil {
			return out, err
		}
		w.Type, w.Records = f.Header.FileType, len(f.Records)
		out = append(out, w)
		names = append(names, f.Name())
	}
	if len(files) == 0 {
		return out, nil
	}
	h := files[0].Header
	for _, f := range files[1:] {
		if g := f.Header; g.Creator != h.Creator || g.Receiver != h.Receiver || g.Date != h.Date || g.Version != h.Version {
			return out, fmt.Errorf("ofd export: the files of one index must share creator, receiver, date and version")
		}
	}
	var buf bytes.Buffer
	if err := ofd.WriteIndex(&buf, ofd.Index{Version: h.Version, Creator: h.Creator, Receiver: h.Receiver, Date: h.Date, Files: names}); err != nil {
		return out, err
	}
	w, err := writeAtomic(dir, ofd.IndexFileName(h.Creator, h.Receiver, h.Date), buf.Bytes())
	if err != nil {
		return out, err
	}
	w.Type, w.Records = "OFI", len(names)
	return append(out, w), nil
}

func writeAtomic(dir, name string, b []byte) (ExportedFile, error) {
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return ExportedFile{}, err
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
		return ExportedFile{}, fmt.Errorf("write %s: %w", name, err)
	}
	sum := sha256.Sum256(b)
	return ExportedFile{Name: name, Bytes: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}, nil
}
