//go:build js && wasm

// Command verifier is the public proof page's verifier (/verify/), compiled
// to WebAssembly and run in the page itself (a saved copy of the page opened
// from disk has no worker and no network). It only moves bytes between
// JavaScript and package verifying, which does the work with package proof.
//
// It sets globalThis.otcVerifier = {version, check(receipt, trustText,
// fileBytes, fileName)}: receipt is the receipt's JSON text, or the bytes
// (a Uint8Array) of an evidence certificate PDF that carries it; fileBytes
// is a Uint8Array, or null for no document;
// check returns the Result as a JSON string.
package main

import (
	"syscall/js"

	"github.com/otcchain/otcchain/console/verifying"
)

func main() {
	obj := js.Global().Get("Object").New()
	obj.Set("version", verifying.Version)
	obj.Set("check", js.FuncOf(func(_ js.Value, args []js.Value) any {
		arg := func(i int) js.Value {
			if i < len(args) {
				return args[i]
			}
			return js.Null()
		}
		in := verifying.Input{}
		if v := arg(0); v.Type() == js.TypeString {
			in.Receipt = []byte(v.String())
		} else if v.Truthy() { // a Uint8Array: an evidence certificate PDF
			in.Receipt = make([]byte, v.Get("length").Int())
			js.CopyBytesToGo(in.Receipt, v)
		}
		if v := arg(1); v.Type() == js.TypeString {
			in.Trust = []byte(v.String())
		}
		if v := arg(2); v.Truthy() {
			in.HasFile = true
			in.File = make([]byte, v.Get("length").Int())
			js.CopyBytesToGo(in.File, v)
		}
		if v := arg(3); v.Type() == js.TypeString {
			in.FileName = v.String()
		}
		return verifying.CheckJSON(in)
	}))
	js.Global().Set("otcVerifier", obj)
	select {} // keep the function alive
}
