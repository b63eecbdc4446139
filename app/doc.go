// Package app is the ABCI application: it decodes each transaction,
// authenticates its signer (package member), checks the role of every message
// against the module registry, routes the messages to their modules, and
// stages all writes of a block in one state.Block that commits atomically
// with its height.
//
// It is the only package that knows ABCI. Everything FinalizeBlock does is a
// function of the block and the committed state: no wall clock, no map
// iteration order, no floats, no goroutines, no local configuration.
//
// Result codes of the "app" codespace are consensus state: see errors.go.
package app
