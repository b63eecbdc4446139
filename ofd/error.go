package ofd

import "fmt"

// Error codes. They are stable: callers (and later parts of otcchain) report and match on them.
// Append only; never rename.
const (
	CodeHeader       = "header"        // a header line is missing or malformed (marker, version, codes, date, type, ...)
	CodeFieldList    = "field_list"    // field count differs from the names listed, unknown or duplicate name
	CodeRecordCount  = "record_count"  // the record count line is malformed or differs from the records present
	CodeRecordLength = "record_length" // a record's byte length differs from the sum of the declared field lengths
	CodeEncoding     = "encoding"      // a byte sequence that is not GBK (reader) or a character GBK cannot encode (writer)
	CodeLineEnding   = "line_ending"   // a line not terminated by CRLF (bare LF or CR)
	CodeText         = "text"          // an A field with a byte outside printable ASCII, or a control character in text
	CodeNumber       = "number"        // an N field that is not all digits, or a value that does not fit / is negative
	CodeDate         = "date"          // a date (header date, a field named *Date) that is not a valid YYYYMMDD
	CodeTooLong      = "too_long"      // writer: a text value longer than its field (never truncated)
	CodeTrailer      = "trailer"       // OFDCFEND missing, or anything after it
	CodeBusinessCode = "business_code" // a BusinessCode not in the business code table
	CodeUsage        = "usage"         // API misuse: unknown field asked of a Record, wrong value count, write after close
	CodeIO           = "io"            // the underlying reader or writer failed
)

// Error is every refusal of the package. Line is the 1-based line of the file (0 when not tied to a
// line), Field the field name when the error concerns one field, Offset the 1-based byte column within
// the line when known (0 otherwise).
type Error struct {
	Line   int
	Field  string
	Code   string
	Msg    string
	Offset int
}

func (e *Error) Error() string {
	s := "ofd: "
	if e.Line > 0 {
		s += fmt.Sprintf("line %d: ", e.Line)
	}
	if e.Offset > 0 {
		s += fmt.Sprintf("byte %d: ", e.Offset)
	}
	if e.Field != "" {
		s += e.Field + ": "
	}
	return s + e.Code + ": " + e.Msg
}

// Fatal reports whether the reader can continue after this error. Errors confined to one record
// (record_length, encoding, line_ending, text, number, date, business_code on a record line) are not
// fatal: the next Next call reads the following record and the bad record still counts towards the
// record count. Header, field list, record count and trailer errors end the file.
func (e *Error) Fatal() bool {
	switch e.Code {
	case CodeRecordLength, CodeEncoding, CodeLineEnding, CodeText, CodeNumber, CodeDate, CodeBusinessCode, CodeTooLong, CodeUsage:
		return false
	}
	return true
}

func errf(line int, field, code, format string, args ...any) *Error {
	return &Error{Line: line, Field: field, Code: code, Msg: fmt.Sprintf(format, args...)}
}
