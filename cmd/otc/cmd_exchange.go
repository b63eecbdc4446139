package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/emmansun/gmsm/sm3"
	"github.com/spf13/cobra"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/exchange"
	"github.com/otcchain/otcchain/member"
	"github.com/otcchain/otcchain/module"
	"github.com/otcchain/otcchain/proof"
	"github.com/otcchain/otcchain/tx"
)

func init() { addCommands(newExchangeCmd) }

// The exchange commands work with the fund commands' session (fundSession).
// Files are hashed, signed and encrypted on this machine: the chain gets the
// record (hash, signature, the content key sealed for the readers) and the
// encrypted stream inline when small; larger streams go to the sender's
// node's blob store (docs/exchange-cli.md).

func newExchangeCmd(m *Main) *cobra.Command {
	c := &cobra.Command{
		Use:   "exchange",
		Short: "Signed file exchange between members: send, receive, acknowledge, inbox/outbox, provenance, verification",
		Long: `otc exchange sends files (NAV files, TA confirmations, reconciliation
reports, product documents) to organisations or identities through the
chain, signed by the sender and encrypted for the recipients and the
regulator, and receives, checks and acknowledges them.

Encrypted files of at most 256 KiB (exchange.MaxInlineBytes, the encrypted
stream) travel inside the transaction; larger ones are stored on the
sender's node (PUT /v1/blobs/{sha256}) and fetched from there by the
recipient, who keeps a copy on its own node.

Signing commands take --home NET --as ORG/KEY (a generated network) or
--keystore DIR --key NAME --api URL; the passphrase comes from
--passphrase-file, $OTC_PASSPHRASE or a prompt and opens the signing key and
its encryption key (NAME.enc). See docs/exchange-cli.md.`,
	}
	c.AddCommand(m.exchangeSendCmd(), m.exchangeReceiveCmd(), m.exchangeAckCmd(),
		m.exchangeBoxCmd("inbox", "in"), m.exchangeBoxCmd("outbox", "out"),
		m.exchangeReadCmd("trace ID", "The provenance graph of a record: its versions (parents) and derived files (children), with acknowledgements", "trace/{0}"),
		m.exchangeShowCmd(), m.exchangeVerifyCmd())
	return c
}

// exchangeSession opens a session with a context long enough for a
// transfer.
func (m *Main) exchangeSession(cmd *cobra.Command, s *signerFlags, signer bool, transfer time.Duration) (*fundSession, context.CancelFunc, error) {
	fs, cancel, err := m.openFund(cmd, s, signer)
	if err != nil {
		return nil, nil, err
	}
	ctx, c2 := context.WithTimeout(cmd.Context(), s.timeout+transfer)
	fs.ctx = ctx
	return fs, func() { c2(); cancel() }, nil
}

// ---- hashing and progress

func newFileHash(alg string) (hash.Hash, error) {
	switch alg {
	case "sha256":
		return sha256.New(), nil
	case "sm3":
		return sm3.New(), nil
	}
	return nil, fmt.Errorf("unknown hash algorithm %q", alg)
}

// progress reports bytes passing through on stderr, every 10%, for
// transfers above exchange.MaxInlineBytes.
type progress struct {
	w     io.Writer
	what  string
	total int64
	done  int64
	step  int64
}

func (m *Main) newProgress(what string, total int64) *progress {
	p := &progress{w: m.Stderr, what: what, total: total, step: -1}
	if total <= exchange.MaxInlineBytes {
		p.w = nil
	}
	return p
}

func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.w != nil && p.total > 0 {
		if s := p.done * 10 / p.total; s > p.step {
			p.step = s
			fmt.Fprintf(p.w, "%s: %3d%% (%.1f of %.1f MiB)\n", p.what, min(100, s*10), float64(p.done)/(1<<20), float64(p.total)/(1<<20))
		}
	}
	return len(b), nil
}

func hashFile(path, alg string, pr io.Writer) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h, err := newFileHash(alg)
	if err != nil {
		return "", 0, err
	}
	n, err := io.Copy(io.MultiWriter(h, pr), f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

func randomID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b[:])
}

// ---- send

func (m *Main) exchangeSendCmd() *cobra.Command {
	var s signerFlags
	var to, parents []string
	var v exchange.Send
	var blobNode string
	var transfer time.Duration
	c := &cobra.Command{
		Use:   "send FILE --to ORG|IDENTITY... [--category C] [--parent ID]...",
		Short: "Send a file: hashed and signed here, encrypted for the recipients, the sender and the regulator, recorded on chain",
		Long: `send hashes FILE (SHA-256, or SM3 for an SM2 sender), signs the hash with
the sender's identity key (exchange.FileStatement), encrypts the file under a
fresh content key (crypto.EncryptStream: AES-256-GCM, or SM4-GCM for SM2)
and seals that key for the sender, every recipient's people (an organisation:
its identities with an encryption key but investors and seals; an identity:
itself) and every regulator identity, and commits the record.

An encrypted stream of at most 256 KiB travels inline in the transaction;
a larger one is first uploaded to the sender's node blob store (limit: the
node's [blob] max_bytes, 1 GiB by default) and the record names that node
(--blob-node, default the --api URL) for recipients to fetch it from.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.exchangeSession(cmd, &s, true, transfer)
			if err != nil {
				return err
			}
			defer cancel()
			if len(to) == 0 {
				return errors.New("name the recipients with --to ORG or --to IDENTITY-ID")
			}
			v.Recipients, v.Parents = to, parents
			for i, r := range v.Recipients {
				if len(r) == 64 {
					v.Recipients[i] = strings.ToLower(r)
				}
			}
			res, err := fs.sendFile(args[0], &v, blobNode)
			if err != nil {
				return err
			}
			return printJSON(m, res)
		},
	}
	s.register(c.Flags())
	f := c.Flags()
	f.StringArrayVar(&to, "to", nil, "a recipient: an organisation id, or an identity id (repeat, up to 16)")
	f.StringVar(&v.Category, "category", "other", "nav, ta-confirmation, reconciliation, product-document or other")
	f.StringArrayVar(&parents, "parent", nil, "a record this file is a new version of, or derived from (repeat)")
	f.StringVar(&v.ID, "id", "", "record id (1 to 64 of A-Z a-z 0-9 - _ .; default: generated)")
	f.StringVar(&v.Name, "name", "", "file name recorded (default: FILE's base name)")
	f.StringVar(&blobNode, "blob-node", "", "the API URL recipients fetch a large file from (default: --api, the node it is stored on)")
	f.DurationVar(&transfer, "transfer-timeout", 30*time.Minute, "how long hashing, encryption and the upload may take")
	return c
}

// readersOf returns the readers of a file (exchange.Readers) from the
// public queries: the recipients' encryption keys and the regulators'.
func (fs *fundSession) readersOf(recipients []string) ([]crypto.Recipient, error) {
	own, err := fs.ownEncKey()
	if err != nil {
		return nil, err
	}
	keys, err := fs.keySet(recipients)
	if err != nil {
		return nil, err
	}
	return exchange.Readers(crypto.Recipient{ID: fs.id, Key: own.Public()}, recipients, keys)
}

// sendFile fills v (hash, signature, key, content) from the file and sends it.
func (fs *fundSession) sendFile(path string, v *exchange.Send, blobNode string) (json.RawMessage, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	if v.Name == "" {
		v.Name = filepath.Base(path)
	}
	alg := fs.key.Algorithm()
	v.HashAlg = crypto.HashName(alg)
	if v.Hash, v.Size, err = hashFile(path, v.HashAlg, fs.m.newProgress("hashing "+v.Name, fi.Size())); err != nil {
		return nil, err
	}
	if v.ID == "" {
		v.ID = randomID("X")
	}
	ctSize := crypto.StreamSize(v.Size)
	if ctSize < 0 || ctSize > exchange.MaxBlobBytes {
		return nil, fmt.Errorf("%s is too large: its encrypted stream would exceed %d bytes", path, int64(exchange.MaxBlobBytes))
	}
	readers, err := fs.readersOf(v.Recipients)
	if err != nil {
		return nil, err
	}
	content := crypto.ContentAlgFor(alg)
	key, err := crypto.NewContentKey(content)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	aad := exchange.ContentAAD(v.ID)
	if v.Key, err = crypto.Seal(content, key, aad, readers); err != nil {
		return nil, fmt.Errorf("seal the content key: %w", err)
	}
	sig, err := fs.key.Sign(exchange.FileStatement(fs.chainID, v.ID, v.HashAlg, v.Hash, v.Size, v.Name))
	if err != nil {
		return nil, fmt.Errorf("sign the file statement: %w", err)
	}
	v.Signature = hex.EncodeToString(sig)

	src, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	if ctSize <= exchange.MaxInlineBytes {
		var buf bytes.Buffer
		if _, err := crypto.EncryptStream(&buf, io.LimitReader(src, v.Size), content, key, aad); err != nil {
			return nil, fmt.Errorf("encrypt %s: %w", path, err)
		}
		v.Inline = buf.Bytes()
	} else {
		b, err := fs.uploadEncrypted(src, v, content, key, aad, ctSize, blobNode)
		if err != nil {
			return nil, err
		}
		v.Blob = b
	}
	if err := v.Validate(); err != nil {
		return nil, fmt.Errorf("not sent: %w", err)
	}
	a, err := tx.NewAny(exchange.TypeSend, v)
	if err != nil {
		return nil, err
	}
	h, items, err := fs.send(a)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"tx": h, "record": v.ID, "name": v.Name, "size": v.Size, "hash_alg": v.HashAlg, "hash": v.Hash, "recipients": v.Recipients}
	if v.Blob != nil {
		out["blob"] = v.Blob
	} else {
		out["inline_bytes"] = len(v.Inline)
	}
	if len(items) > 0 {
		out["result"] = items[0].Data
	} else {
		out["committed"] = false
	}
	return json.Marshal(out)
}

// uploadEncrypted encrypts src into a temporary file, hashing the stream,
// and uploads it to the sender's node.
func (fs *fundSession) uploadEncrypted(src io.Reader, v *exchange.Send, content crypto.ContentAlg, key, aad []byte, ctSize int64, blobNode string) (*exchange.Blob, error) {
	tmp, err := os.CreateTemp("", "otc-exchange-*.enc")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := crypto.EncryptStream(io.MultiWriter(tmp, h, fs.m.newProgress("encrypting "+v.Name, ctSize)), io.LimitReader(src, v.Size), content, key, aad)
	if err != nil {
		return nil, fmt.Errorf("encrypt %s: %w", v.Name, err)
	}
	if n != ctSize {
		return nil, fmt.Errorf("%s changed while it was sent (%d encrypted bytes, want %d)", v.Name, n, ctSize)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if err := fs.login(); err != nil {
		return nil, err
	}
	rd := io.TeeReader(tmp, fs.m.newProgress("uploading "+v.Name+" to "+fs.api.BaseURL(), n))
	if _, err := fs.api.PutBlob(fs.ctx, sum, rd, n); err != nil {
		return nil, fmt.Errorf("store the encrypted file on %s: %w", fs.api.BaseURL(), err)
	}
	if blobNode == "" {
		blobNode = fs.api.BaseURL()
	}
	return &exchange.Blob{Hash: sum, Size: n, Node: strings.TrimRight(blobNode, "/")}, nil
}

// ---- receive

func (m *Main) exchangeReceiveCmd() *cobra.Command {
	var s signerFlags
	var out string
	var noAck, force bool
	var transfer time.Duration
	c := &cobra.Command{
		Use:   "receive ID --out FILE [--no-ack]",
		Short: "Fetch, decrypt and check a file (hash, sender's signature), write it, then acknowledge it as accepted",
		Long: `receive reads record ID, opens its content key with the caller's
encryption key, and fetches the encrypted stream: inline from the record, or
from the caller's own node's blob store; when that node does not keep it, from
the sender's node named in the record (logging in there with the same
identity), checking its SHA-256 against the record, and storing a copy on the
caller's own node.

It decrypts into a temporary file beside --out, checks the plaintext hash and
size against the record and the sender's signature over the file statement
with the sender's registered key, and renames the file into place only when
all hold. Then it commits an acknowledgement (accepted) unless --no-ack or
the caller's organisation already acknowledged; reject a file with otc
exchange ack ID --reject --reason R.

If the sender's node is unreachable the command fails saying so; the record
stays on chain: retry later.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.exchangeSession(cmd, &s, true, transfer)
			if err != nil {
				return err
			}
			defer cancel()
			if out == "" {
				return errors.New("--out FILE is required")
			}
			if _, err := os.Stat(out); err == nil && !force {
				return fmt.Errorf("%s exists: choose another --out or give --force", out)
			}
			view, err := fs.readRecord(args[0])
			if err != nil {
				return err
			}
			if err := fs.receiveTo(view.Record, out); err != nil {
				return err
			}
			fmt.Fprintf(m.Stderr, "%s: %d bytes, %s %s, signed by %s (%s): verified, written to %s\n",
				view.ID, view.Size, view.HashAlg, view.Hash, view.Sender, view.SenderOrg, out)
			res := map[string]any{"record": view.ID, "out": out, "size": view.Size, "hash_alg": view.HashAlg, "hash": view.Hash,
				"sender": view.Sender, "sender_org": view.SenderOrg, "verified": true}
			switch {
			case noAck:
			case fs.acked(view):
				res["ack"] = "already acknowledged"
			default:
				hash, items, err := fs.sendAck(view.Record, true, "")
				if err != nil {
					return fmt.Errorf("the file is written and verified, but the acknowledgement failed: %w", err)
				}
				res["ack_tx"] = hash
				if len(items) > 0 {
					res["ack"] = items[0].Data
				}
			}
			b, err := json.Marshal(res)
			if err != nil {
				return err
			}
			return printJSON(m, b)
		},
	}
	s.register(c.Flags())
	c.Flags().StringVar(&out, "out", "", "where to write the file")
	c.Flags().BoolVar(&noAck, "no-ack", false, "do not acknowledge the file")
	c.Flags().BoolVar(&force, "force", false, "replace --out if it exists")
	c.Flags().DurationVar(&transfer, "transfer-timeout", 30*time.Minute, "how long the download and decryption may take")
	return c
}

func (fs *fundSession) readRecord(id string) (*exchange.View, error) {
	var v exchange.View
	if _, err := fs.query("exchange/records/"+id, nil, &v); err != nil {
		return nil, err
	}
	if v.Record == nil {
		return nil, fmt.Errorf("record %s: empty answer", id)
	}
	return &v, nil
}

// acked says whether the caller (or its organisation) acknowledged v.
func (fs *fundSession) acked(v *exchange.View) bool {
	for _, a := range v.Acks {
		if a.By == fs.id || (fs.cert != nil && a.Target == fs.cert.Org) {
			return true
		}
	}
	return false
}

// receiveTo fetches, decrypts and checks r's file and writes it to out.
func (fs *fundSession) receiveTo(r *exchange.Record, out string) error {
	if r.Key == nil || !r.Key.HasRecipient(fs.id) {
		return fmt.Errorf("cannot decrypt record %s: its content key is not sealed for identity %s", r.ID, fs.id)
	}
	enc, err := fs.ownEncKey()
	if err != nil {
		return fmt.Errorf("cannot decrypt: %w", err)
	}
	aad := exchange.ContentAAD(r.ID)
	key, err := exchange.ContentKey(r, fs.id, enc)
	if err != nil {
		return err
	}
	defer clear(key)
	// The sender's signature is checked before anything is written.
	if err := fs.checkFileSignature(r); err != nil {
		return err
	}
	var src io.Reader
	switch {
	case r.Inline != nil:
		src = bytes.NewReader(r.Inline)
	case r.Blob != nil:
		f, err := fs.fetchBlob(r)
		if err != nil {
			return err
		}
		defer os.Remove(f.Name())
		defer f.Close()
		src = f
	default:
		return fmt.Errorf("record %s has no content", r.ID)
	}
	dir := filepath.Dir(out)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(out)+".partial-*")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h, err := newFileHash(r.HashAlg)
	if err != nil {
		return err
	}
	pr := fs.m.newProgress("decrypting "+r.Name, r.Size)
	n, err := crypto.DecryptStream(io.MultiWriter(tmp, h, pr), src, r.Key.Cipher, key, aad)
	if err != nil {
		return fmt.Errorf("record %s: the encrypted content does not decrypt (%w): nothing written", r.ID, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != r.Size || got != r.Hash {
		return fmt.Errorf("record %s: the decrypted file is %d bytes with %s %s, the record says %d bytes with %s: nothing written", r.ID, n, r.HashAlg, got, r.Size, r.Hash)
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	keep = true
	return nil
}

// checkFileSignature verifies the record's signature with the sender's
// registered key (exchange.CheckSignature).
func (fs *fundSession) checkFileSignature(r *exchange.Record) error {
	raw, err := fs.api.Identity(fs.ctx, r.Sender)
	if err != nil {
		return fmt.Errorf("the sender's identity %s: %w", r.Sender, err)
	}
	var rec member.Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return fmt.Errorf("the sender's identity %s: %w", r.Sender, err)
	}
	if err := exchange.CheckSignature(fs.chainID, r, &rec); err != nil {
		return fmt.Errorf("%w: nothing written", err)
	}
	return nil
}

// errSenderDown is the error of a fetch from an unreachable sender node.
type senderDownError struct {
	node string
	err  error
}

func (e *senderDownError) Error() string {
	return fmt.Sprintf("the sender's node at %s is unreachable (%v); the record stays on chain; retry later", e.node, e.err)
}

func (e *senderDownError) Unwrap() error { return e.err }

// fetchBlob returns r's encrypted stream in a temporary file, its SHA-256
// checked: from the caller's node, else from the sender's node (then kept on
// the caller's node too).
func (fs *fundSession) fetchBlob(r *exchange.Record) (*os.File, error) {
	if err := fs.login(); err != nil {
		return nil, err
	}
	b := r.Blob
	f, err := fs.download(fs.api, r, "")
	if err == nil {
		return f, nil
	}
	if !client.IsCode(err, client.CodeBlobNotStored) && !client.IsCode(err, client.CodeNoBlobStore) {
		return nil, err
	}
	if strings.TrimRight(b.Node, "/") == strings.TrimRight(fs.api.BaseURL(), "/") {
		return nil, fmt.Errorf("record %s: its blob should be on %s, which does not keep it: %w", r.ID, b.Node, err)
	}
	remote, err := apiClient(b.Node)
	if err != nil {
		return nil, err
	}
	if _, err := remote.Login(fs.ctx, fs.id, fs.key.Sign); err != nil {
		if isUnreachable(err) {
			return nil, &senderDownError{b.Node, err}
		}
		return nil, fmt.Errorf("log in on the sender's node %s: %w", b.Node, err)
	}
	f, err = fs.download(remote, r, " from the sender's node "+b.Node)
	if err != nil {
		if isUnreachable(err) {
			return nil, &senderDownError{b.Node, err}
		}
		return nil, err
	}
	// Keep a copy on the caller's own node.
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	if _, err := fs.api.PutBlob(fs.ctx, b.Hash, f, b.Size); err != nil {
		fmt.Fprintf(fs.m.Stderr, "warning: could not keep a copy of blob %s on %s: %v\n", b.Hash, fs.api.BaseURL(), err)
	} else {
		fmt.Fprintf(fs.m.Stderr, "fetched blob %s from %s (hash checked), copy kept on %s\n", b.Hash, b.Node, fs.api.BaseURL())
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// isUnreachable says whether err is a failure to reach a node (transport
// error, or a gateway/unavailable answer), not an answer of the node.
func isUnreachable(err error) bool {
	var ae *client.Error
	if errors.As(err, &ae) {
		return ae.HTTPStatus == http.StatusBadGateway || ae.HTTPStatus == http.StatusGatewayTimeout ||
			(ae.HTTPStatus == http.StatusServiceUnavailable && ae.Code == client.CodeUnexpectedResponse)
	}
	return err != nil && !errors.Is(err, context.Canceled)
}

// download fetches r's blob from c into a temporary file, checking its
// size and SHA-256 against the record; a mismatch leaves nothing.
func (fs *fundSession) download(c *client.Client, r *exchange.Record, from string) (*os.File, error) {
	b := r.Blob
	body, _, _, err := c.GetBlob(fs.ctx, b.Hash)
	if err != nil {
		if client.IsCode(err, "not_permitted") {
			return nil, fmt.Errorf("blob of record %s%s: not permitted (the attempt is recorded in the node's access audit log): %w", r.ID, from, err)
		}
		return nil, err
	}
	defer body.Close()
	f, err := os.CreateTemp("", "otc-exchange-*.enc")
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h, fs.m.newProgress("downloading "+r.Name+from, b.Size)), io.LimitReader(body, b.Size+1))
	fail := func(e error) (*os.File, error) {
		f.Close()
		os.Remove(f.Name())
		return nil, e
	}
	if err != nil {
		return fail(fmt.Errorf("download blob %s%s: %w", b.Hash, from, err))
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != b.Size || got != b.Hash {
		return fail(fmt.Errorf("record %s: the blob%s is TAMPERED or corrupt: %d bytes with SHA-256 %s, the record says %d bytes with %s: nothing written", r.ID, from, n, got, b.Size, b.Hash))
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fail(err)
	}
	return f, nil
}

// ---- ack

func (fs *fundSession) sendAck(r *exchange.Record, accepted bool, reason string) (string, []tx.ItemResult, error) {
	sig, err := fs.key.Sign(exchange.AckStatement(fs.chainID, r.ID, r.Hash, accepted, reason))
	if err != nil {
		return "", nil, fmt.Errorf("sign the acknowledgement: %w", err)
	}
	msg := &exchange.AckMsg{Record: r.ID, Accepted: accepted, Reason: reason, Signature: hex.EncodeToString(sig)}
	if err := msg.Validate(); err != nil {
		return "", nil, fmt.Errorf("not sent: %w", err)
	}
	a, err := tx.NewAny(exchange.TypeAck, msg)
	if err != nil {
		return "", nil, err
	}
	return fs.send(a)
}

func (m *Main) exchangeAckCmd() *cobra.Command {
	var s signerFlags
	var reject bool
	var reason string
	c := &cobra.Command{
		Use:   "ack ID [--reject --reason R]",
		Short: "Acknowledge a received file: accepted, or rejected with a reason (signed, on chain)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if reject && strings.TrimSpace(reason) == "" {
				return errors.New("a rejection needs --reason")
			}
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			v, err := fs.readRecord(args[0])
			if err != nil {
				return err
			}
			hash, items, err := fs.sendAck(v.Record, !reject, reason)
			if err != nil {
				return err
			}
			return fs.printResult(hash, items)
		},
	}
	s.register(c.Flags())
	c.Flags().BoolVar(&reject, "reject", false, "reject the file (needs --reason)")
	c.Flags().StringVar(&reason, "reason", "", "why (recorded on chain)")
	return c
}

// ---- reads

func (m *Main) exchangeReadCmd(use, short, path string) *cobra.Command {
	var s signerFlags
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(len(strings.Fields(use)) - 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			p := path
			for i, a := range args {
				p = strings.ReplaceAll(p, "{"+strconv.Itoa(i)+"}", a)
			}
			raw, err := fs.query("exchange/"+p, nil, nil)
			if err != nil {
				return err
			}
			return printJSON(m, raw)
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	return c
}

func (m *Main) exchangeShowCmd() *cobra.Command {
	var s signerFlags
	var full bool
	c := &cobra.Command{
		Use:   "show ID [--full]",
		Short: "A record with its acknowledgements (its sender's organisation, recipients, the regulator); --full includes the key and inline content",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			raw, err := fs.query("exchange/records/"+args[0], nil, nil)
			if err != nil {
				return err
			}
			if !full {
				var v map[string]any
				if err := json.Unmarshal(raw, &v); err != nil {
					return err
				}
				if in, ok := v["inline"].(string); ok {
					v["inline"] = fmt.Sprintf("(%d bytes of base64; --full shows them)", len(in))
				}
				if k, ok := v["key"].(map[string]any); ok {
					ids := []string{}
					if rs, ok := k["recipients"].([]any); ok {
						for _, r := range rs {
							if rm, ok := r.(map[string]any); ok {
								ids = append(ids, fmt.Sprint(rm["id"]))
							}
						}
					}
					v["key"] = map[string]any{"cipher": k["cipher"], "sealed_for": ids}
				}
				if raw, err = json.Marshal(v); err != nil {
					return err
				}
			}
			return printJSON(m, raw)
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	c.Flags().BoolVar(&full, "full", false, "print the content key envelope and inline content too")
	return c
}

func (m *Main) exchangeBoxCmd(name, box string) *cobra.Command {
	var s signerFlags
	var org, status string
	var limit int
	var asJSON bool
	short := "Files sent to my organisation (or --org): unread, acknowledged, rejected"
	if box == "out" {
		short = "Files my organisation (or --org) sent, with each recipient's acknowledgement"
	}
	c := &cobra.Command{
		Use:   name + " [--org ORG] [--status S] [--json]",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			if org == "" {
				org = fs.cert.Org
			}
			params := map[string]string{}
			if status != "" {
				params["status"] = status
			}
			if limit > 0 {
				params["limit"] = strconv.Itoa(limit)
			}
			var list module.List[exchange.View]
			raw, err := fs.query("exchange/"+box+"box/"+org, params, &list)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(m, raw)
			}
			printBox(m.Stdout, box, list.Items)
			if list.Truncated {
				fmt.Fprintf(m.Stdout, "(more records match: the list stopped at its limit; use --limit or --status)\n")
			}
			return nil
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	c.Flags().StringVar(&org, "org", "", "the organisation (default: the signer's)")
	if box == "in" {
		c.Flags().StringVar(&status, "status", "", "only unread, acknowledged or rejected")
	} else {
		c.Flags().StringVar(&status, "status", "", "only none (no acknowledgement yet), partial or complete")
	}
	c.Flags().IntVar(&limit, "limit", 0, "at most this many (newest first)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the records as JSON")
	return c
}

func printBox(w io.Writer, box string, views []exchange.View) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if box == "in" {
		fmt.Fprintln(tw, "RECORD\tSTATUS\tFROM\tCATEGORY\tNAME\tSIZE\tTIME")
		for _, v := range views {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", v.ID, v.Status, v.SenderOrg, v.Category, v.Name, v.Size, v.Time)
		}
	} else {
		fmt.Fprintln(tw, "RECORD\tSTATUS\tTO\tACK\tCATEGORY\tNAME\tSIZE\tTIME")
		for _, v := range views {
			for i, t := range v.Recipients {
				ack := "pending"
				for _, a := range v.Acks {
					if a.Target == t {
						ack = "accepted"
						if !a.Accepted {
							ack = "rejected: " + a.Reason
						}
					}
				}
				if i == 0 {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", v.ID, v.Status, t, ack, v.Category, v.Name, v.Size, v.Time)
				} else {
					fmt.Fprintf(tw, "\t\t%s\t%s\t\t\t\t\n", t, ack)
				}
			}
		}
	}
	tw.Flush()
	if len(views) == 0 {
		fmt.Fprintln(w, "(none)")
	}
}

// ---- verify

// exchangeVerification is what otc exchange verify reports (--json).
type exchangeVerification struct {
	File      string          `json:"file"`
	Size      int64           `json:"size"`
	SHA256    string          `json:"sha256"`
	SM3       string          `json:"sm3"`
	Found     bool            `json:"found"`
	Records   []exchangeMatch `json:"records"`
	TrustRoot string          `json:"trust_root,omitempty"`
	OK        bool            `json:"ok"`
}

type exchangeMatch struct {
	exchange.FileCheck
	HashAlg string        `json:"hash_alg"`
	Receipt *receiptCheck `json:"receipt,omitempty"`
}

func (m *Main) exchangeVerifyCmd() *cobra.Command {
	var s signerFlags
	var genesisFile, headerFile string
	var asJSON bool
	c := &cobra.Command{
		Use:   "verify FILE [--genesis genesis.json | --trusted-header F]",
		Short: "Find the records of a file by its hash: sender, time, signature validity, recipients; with a trust root, each send tx's receipt offline",
		Long: `verify hashes FILE with SHA-256 and SM3 and asks the node for the
records of either hash (exchange/verify/{alg}/{hash}, any logged-in member):
the sender, its organisation and name, the time and block, whether the
sender's signature over the file statement verifies with its registered key
and whether the sender was unrevoked when it sent; the recipients and
acknowledgements are shown to the record's readers only.

With --genesis or --trusted-header it fetches the receipt of each record's
send transaction (/v1/receipts/{tx}) and verifies it offline (proof.Verify):
the tx is in a block signed by more than 2/3 of the validators' power, was
sent by the sender and carries the exchange/send of that record with that
hash and signature.

Exit status 0 only when some record matches and every check holds.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var trust *proof.Trust
			if genesisFile != "" || headerFile != "" {
				t, err := loadTrust(genesisFile, headerFile)
				if err != nil {
					return err
				}
				trust = &t
			}
			fs, cancel, err := m.openFund(cmd, &s, true)
			if err != nil {
				return err
			}
			defer cancel()
			v := &exchangeVerification{File: args[0], Records: []exchangeMatch{}}
			if v.SHA256, v.Size, err = hashFile(args[0], "sha256", io.Discard); err != nil {
				return err
			}
			if v.SM3, _, err = hashFile(args[0], "sm3", io.Discard); err != nil {
				return err
			}
			for _, h := range []struct{ alg, hash string }{{"sha256", v.SHA256}, {"sm3", v.SM3}} {
				var r struct {
					Records []exchange.FileCheck `json:"records"`
				}
				if _, err := fs.query("exchange/verify/"+h.alg+"/"+h.hash, nil, &r); err != nil {
					return err
				}
				for _, fc := range r.Records {
					v.Records = append(v.Records, exchangeMatch{FileCheck: fc, HashAlg: h.alg})
				}
			}
			v.Found = len(v.Records) > 0
			v.OK = v.Found
			if trust != nil {
				v.TrustRoot = trust.String()
			}
			for i := range v.Records {
				mt := &v.Records[i]
				v.OK = v.OK && mt.SignatureValid && mt.Unrevoked
				if trust != nil {
					hash := v.SHA256
					if mt.HashAlg == "sm3" {
						hash = v.SM3
					}
					rc := fs.checkSendReceipt(*trust, mt, hash)
					mt.Receipt = &rc
					v.OK = v.OK && rc.OK
				}
			}
			if asJSON {
				b, err := json.MarshalIndent(v, "", "  ")
				if err != nil {
					return err
				}
				fmt.Fprintln(m.Stdout, string(b))
			} else {
				printExchangeVerification(m.Stdout, v)
			}
			switch {
			case !v.Found:
				return fmt.Errorf("%s matches no record (sha256 %s, sm3 %s): not a file sent on this chain, or altered", v.File, v.SHA256, v.SM3)
			case !v.OK:
				return fmt.Errorf("%s: verification FAILED (see above)", v.File)
			}
			return nil
		},
	}
	s.register(c.Flags())
	_ = c.Flags().MarkHidden("no-wait")
	c.Flags().StringVar(&genesisFile, "genesis", "", "the chain's genesis.json: verify each send tx's receipt from the genesis validators")
	c.Flags().StringVar(&headerFile, "trusted-header", "", "a trusted signed header + validator set (otc checkpoint) as the receipts' trust root")
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return c
}

// checkSendReceipt fetches the receipt of a record's send tx and verifies
// it offline, then that the tx was sent by the sender and carries the
// record's exchange/send with the file's hash.
func (fs *fundSession) checkSendReceipt(trust proof.Trust, mt *exchangeMatch, hash string) receiptCheck {
	return fs.checkTxReceipt(trust, txClaim{tx: mt.Tx, signer: mt.Sender, height: mt.Height, who: "sender", source: "the record",
		carries: func(msgs []tx.Any) bool { return carriesSend(msgs, mt.Record, mt.HashAlg, hash) },
		missing: fmt.Sprintf("the tx carries no exchange/send of record %s with this file's hash", mt.Record)})
}

func carriesSend(msgs []tx.Any, id, alg, hash string) bool {
	for _, a := range msgs {
		switch a.Type {
		case tx.BatchMsgType:
			var b tx.Batch
			if json.Unmarshal(a.Value, &b) == nil && carriesSend(b.Items, id, alg, hash) {
				return true
			}
		case exchange.TypeSend:
			var s exchange.Send
			if json.Unmarshal(a.Value, &s) == nil && s.ID == id && s.HashAlg == alg && s.Hash == hash {
				return true
			}
		}
	}
	return false
}

func printExchangeVerification(w io.Writer, v *exchangeVerification) {
	fmt.Fprintf(w, "file %s (%d bytes)\n  sha256 %s\n  sm3    %s\n", v.File, v.Size, v.SHA256, v.SM3)
	if !v.Found {
		fmt.Fprintln(w, "NOT FOUND: no record on this chain has this file (an altered file, or one never sent here)")
		return
	}
	for _, r := range v.Records {
		fmt.Fprintf(w, "\nrecord %s: %q (%s, %d bytes, %s)\n", r.Record, r.Name, r.Category, r.Size, r.HashAlg)
		fmt.Fprintf(w, "  sent by %s (%s) of %s at %s, block %d, tx %s\n", r.SenderName, r.Sender, r.SenderOrg, r.Time, r.Height, r.Tx)
		fmt.Fprintf(w, "  sender's signature valid: %s; sender unrevoked at sending: %s\n", yesNo(r.SignatureValid), yesNo(r.Unrevoked))
		if len(r.Recipients) > 0 {
			fmt.Fprintf(w, "  recipients: %s\n", strings.Join(r.Recipients, ", "))
			for _, a := range r.Acks {
				verdict := "accepted"
				if !a.Accepted {
					verdict = "rejected: " + a.Reason
				}
				fmt.Fprintf(w, "    %s: %s by %s at %s\n", a.Target, verdict, a.By, a.Time)
			}
		} else {
			fmt.Fprintln(w, "  recipients: (shown to the record's readers only)")
		}
		if r.Receipt != nil {
			if r.Receipt.OK {
				fmt.Fprintf(w, "  receipt verifies (2/3+ of the validators signed block %d: %d/%d voting power)\n", r.Receipt.Height, r.Receipt.SignedPower, r.Receipt.TotalPower)
			} else {
				fmt.Fprintf(w, "  receipt FAILS: %s\n", r.Receipt.Error)
			}
		}
	}
	if v.TrustRoot == "" {
		fmt.Fprintln(w, "\nreceipts not checked (give --genesis genesis.json or --trusted-header F to verify them offline)")
	} else {
		fmt.Fprintf(w, "\nreceipts checked from %s\n", v.TrustRoot)
	}
	if v.OK {
		fmt.Fprintln(w, "RESULT: verified")
	} else {
		fmt.Fprintln(w, "RESULT: FAILED")
	}
}
