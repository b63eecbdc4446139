// Package ofd reads and writes the fixed-width data exchange files of the Chinese open-end fund market
// (GB/T 39595-2020, formerly JR/T 0017): OFD_ data files (01 account applications, 02 account
// confirmations, 03 trade applications, 04 trade confirmations, 05 share reconciliation, 06 dividends,
// 07 fund NAV/status, ...) and OFI_ index files.
//
// The field dictionary (per file type and protocol version: type C/A/N, byte length, implied decimals)
// and the business/return code tables are embedded from dict/ (see dict/SOURCE.md). Versions 20 and 21
// are supported fully; version 22 only where the unconfirmed dictionary is consistent, and everything
// taken from it is reported by Dictionary.Unverified.
//
// Reader streams a file record by record; every refusal is an *Error with a stable Code and the line.
// Writer produces the canonical layout (GBK, CRLF, padded header, OFDCFEND). See docs/ofd.md.
//
// ofd is a pure library: it imports only the standard library and golang.org/x/text, and must never
// import chain code (module, app, state, fund, ...).
package ofd
