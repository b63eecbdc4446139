package module

import (
	"errors"
	"fmt"
)

// Error is a domain rejection: a stable code within a codespace, and a
// readable message. It becomes the ABCI result (Codespace, Code, Log) and the
// API's error body. Codes are consensus state: they are appended, never
// renumbered, and each module pins its codes in a golden test.
type Error struct {
	Codespace string `json:"codespace"`
	Code      uint32 `json:"code"`
	Name      string `json:"name"`    // stable identifier, e.g. "unknown_signer"
	Message   string `json:"message"` // readable detail
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s/%d %s: %s", e.Codespace, e.Code, e.Name, e.Message)
}

// Is matches two errors with the same codespace and code, whatever the
// message, so errors.Is(err, member.ErrRevoked) works on wrapped details.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Codespace == e.Codespace && t.Code == e.Code
}

// Wrapf returns a copy of e whose message is the formatted detail.
func (e *Error) Wrapf(format string, args ...any) *Error {
	c := *e
	c.Message = fmt.Sprintf(format, args...)
	return &c
}

// Codes collects a module's result codes so that a duplicate code is caught
// at start-up and the whole table can be listed (docs, golden tests).
type Codes struct {
	Codespace string
	list      []*Error
}

// NewCodes starts the code table of a codespace.
func NewCodes(codespace string) *Codes { return &Codes{Codespace: codespace} }

// Register adds a code. It panics on a duplicate code or name: that is a
// programming error found by any test that loads the package.
func (c *Codes) Register(code uint32, name, message string) *Error {
	if code == 0 {
		panic("module: code 0 means success")
	}
	for _, e := range c.list {
		if e.Code == code || e.Name == name {
			panic(fmt.Sprintf("module: duplicate code %s/%d %s", c.Codespace, code, name))
		}
	}
	e := &Error{Codespace: c.Codespace, Code: code, Name: name, Message: message}
	c.list = append(c.list, e)
	return e
}

// All returns the registered codes in registration order.
func (c *Codes) All() []*Error { return append([]*Error(nil), c.list...) }

// AsError returns the *Error inside err, or nil if err carries no code
// (a storage failure or a bug, which the app treats as fatal).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
