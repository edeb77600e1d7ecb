package sslconf

import "fmt"

// Error is a refusal the user can act on: Field is the inventory field to
// change ("sst.method", "tls.client_cert", "flavor").
type Error struct {
	Field string
	Msg   string
}

func (e *Error) Error() string { return e.Field + ": " + e.Msg }

func refuse(field, format string, args ...any) error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...)}
}
