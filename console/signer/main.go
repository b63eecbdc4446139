//go:build js && wasm

// Command signer is the browser console's key holder, compiled to
// WebAssembly and run in a Web Worker (console/assets/signer-worker.js).
// It opens the user's keystore files there with the passphrase, keeps the
// decrypted keys in its own memory and signs with the project's own code
// (packages keystore, pki, tx, fund): the login challenge, transactions and
// the investor's statements. Nothing it returns ever holds a private key
// or the passphrase.
//
// Every function takes one JSON string and returns one JSON string:
// {"ok": RESULT} or {"error": {"code": CODE, "message": TEXT}}.
package main

import (
	"syscall/js"

	"github.com/otcchain/otcchain/console/signing"
)

func main() {
	s := signing.NewSigner()
	obj := js.Global().Get("Object").New()
	for name, fn := range s.Functions() {
		obj.Set(name, js.FuncOf(func(_ js.Value, args []js.Value) any {
			in := ""
			if len(args) > 0 {
				in = args[0].String()
			}
			return fn(in)
		}))
	}
	obj.Set("version", signing.Version)
	js.Global().Set("otcSigner", obj)
	select {} // keep the functions alive
}
