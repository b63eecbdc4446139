// Command otc is otcchain's single binary: it runs nodes (start, dev),
// generates networks (testnet), manages keys and certificates (keys, ca) and
// talks to nodes through the API client (status, ...).
//
// main is thin: Main parses the command line into a command and its flags
// (ParseFlags) and runs it (Run); everything else lives in packages node,
// client, keystore and pki.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.ParseFlags(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "otc:", err)
		os.Exit(2)
	}
	err := m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			fmt.Fprintln(os.Stderr, "otc:", err)
		}
		os.Exit(1)
	}
}
