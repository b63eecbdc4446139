package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/otcchain/otcchain/client"
	"github.com/otcchain/otcchain/crypto"
	"github.com/otcchain/otcchain/keystore"
	"github.com/otcchain/otcchain/tx"
)

// PassphraseEnv names the environment variable read for a passphrase.
const PassphraseEnv = "OTC_PASSPHRASE"

// passphrase returns the passphrase from file (when given), else
// $OTC_PASSPHRASE, else a prompt on the terminal (twice when confirm).
// Passphrases never come from the command line itself: argv is visible to
// every user of the machine.
func (m *Main) passphrase(file string, confirm bool) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("passphrase file: %w", err)
		}
		p := strings.TrimRight(string(b), "\r\n")
		if p == "" {
			return "", fmt.Errorf("passphrase file %s is empty", file)
		}
		return p, nil
	}
	if p := m.Getenv(PassphraseEnv); p != "" {
		return p, nil
	}
	f, ok := m.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", fmt.Errorf("no passphrase: use --passphrase-file, $%s or run on a terminal", PassphraseEnv)
	}
	fmt.Fprint(m.Stderr, "passphrase: ")
	p, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(m.Stderr)
	if err != nil {
		return "", fmt.Errorf("read passphrase: %w", err)
	}
	if len(p) == 0 {
		return "", errors.New("empty passphrase")
	}
	if confirm {
		fmt.Fprint(m.Stderr, "passphrase again: ")
		q, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(m.Stderr)
		if err != nil {
			return "", fmt.Errorf("read passphrase: %w", err)
		}
		if !bytes.Equal(p, q) {
			return "", errors.New("the passphrases differ")
		}
	}
	return string(p), nil
}

// openKeystore opens a keystore directory.
func openKeystore(dir string) (*keystore.Store, error) {
	if dir == "" {
		return nil, errors.New("no keystore: use --keystore DIR")
	}
	return keystore.Open(dir)
}

// loadKey decrypts key name of the keystore in dir, asking for the
// passphrase as passphrase does.
func (m *Main) loadKey(dir, name, passphraseFile string) (crypto.PrivateKey, error) {
	ks, err := openKeystore(dir)
	if err != nil {
		return nil, err
	}
	if _, err := ks.Get(name); err != nil {
		return nil, err
	}
	pass, err := m.passphrase(passphraseFile, false)
	if err != nil {
		return nil, err
	}
	return ks.Load(name, []byte(pass))
}

// apiClient returns a client of the node API at url.
func apiClient(url string) (*client.Client, error) {
	if url == "" {
		return nil, errors.New("no API address: use --api URL")
	}
	return client.New(strings.TrimRight(url, "/"), client.WithUserAgent("otc")), nil
}

// contextTimeout returns the command's context bounded by d.
func contextTimeout(cmd *cobra.Command, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(cmd.Context(), d)
}

// sendMsg validates a message, sends it and prints its result.
func (fs *fundSession) sendMsg(typ string, v any) error {
	if vm, ok := v.(interface{ Validate() error }); ok {
		if err := vm.Validate(); err != nil {
			return fmt.Errorf("not sent: %w", err)
		}
	}
	a, err := tx.NewAny(typ, v)
	if err != nil {
		return err
	}
	hash, items, err := fs.send(a)
	if err != nil {
		return err
	}
	return fs.printResult(hash, items)
}

// sendAs validates a message, then signs it as s, sends it and prints its
// result (the one-message commands of otc gov, supervise, contract).
func (m *Main) sendAs(cmd *cobra.Command, s *signerFlags, typ string, msg interface{ Validate() error }) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	fs, cancel, err := m.openFund(cmd, s, true)
	if err != nil {
		return err
	}
	defer cancel()
	return fs.sendMsg(typ, msg)
}
