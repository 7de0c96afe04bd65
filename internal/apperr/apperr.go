// Package apperr defines the errors that cross package boundaries with a
// meaning the user interface can act on: the kind decides the HTTP status,
// the key is a translation id that is safe to show, and field errors say
// which form field is wrong and why.
//
// Anything that is not an *Error is internal: it is logged once at the
// boundary and the user sees a generic page with the request id.
package apperr

import (
	"errors"
	"fmt"
	"sort"
)

// Kind classifies an error for the user interface.
type Kind int

const (
	// Internal is an unexpected failure; its details are never shown.
	Internal Kind = iota
	// NotFound: the record does not exist or the user may not know it does.
	NotFound
	// Invalid: the input is wrong; Fields says where.
	Invalid
	// Conflict: the record changed meanwhile (another operator acted first).
	Conflict
	// Forbidden: the user is known but may not do this.
	Forbidden
	// Unauthorized: the user must log in first.
	Unauthorized
	// TooMany: the user must wait before trying again.
	TooMany
	// Unavailable: a system we depend on (a state registry) does not
	// answer; trying again later may work.
	Unavailable
)

// Error is an error whose message is a translation key safe to show.
type Error struct {
	Kind   Kind
	Key    string         // translation id of the message
	Args   map[string]any // template data for the message
	Fields FieldErrors    // for Invalid: field name → problem
	Err    error          // wrapped cause, never shown
}

func (e *Error) Error() string {
	s := e.Key
	if len(e.Fields) > 0 {
		s += fmt.Sprintf(" %v", e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// FieldError is the problem with one form field.
type FieldError struct {
	Key  string         // translation id
	Args map[string]any // template data
}

// FieldErrors maps a form field name to its problem. A nil map has no errors.
type FieldErrors map[string]FieldError

// Add records the first problem of a field; later ones are ignored so the
// user sees one message per field, the most basic first.
func (fe *FieldErrors) Add(field, key string, args ...map[string]any) {
	if *fe == nil {
		*fe = FieldErrors{}
	}
	if _, ok := (*fe)[field]; ok {
		return
	}
	var a map[string]any
	if len(args) > 0 {
		a = args[0]
	}
	(*fe)[field] = FieldError{Key: key, Args: a}
}

// Has reports whether the field has a problem.
func (fe FieldErrors) Has(field string) bool { _, ok := fe[field]; return ok }

// Fields lists the names with problems in a stable order.
func (fe FieldErrors) Names() []string {
	names := make([]string, 0, len(fe))
	for n := range fe {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Merge adds the field problems of err, an Invalid error about fields,
// and returns nil; any other error is returned for the caller to handle.
func (fe *FieldErrors) Merge(err error) error {
	if err == nil {
		return nil
	}
	e, ok := As(err)
	if !ok || e.Kind != Invalid || len(e.Fields) == 0 {
		return err
	}
	for _, n := range e.Fields.Names() {
		fe.Add(n, e.Fields[n].Key, e.Fields[n].Args)
	}
	return nil
}

// Err returns an Invalid error when there are field problems, nil otherwise.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Key: "error.invalid", Fields: fe}
}

// New returns an error of the kind with a translation key.
func New(kind Kind, key string) *Error { return &Error{Kind: kind, Key: key} }

// Wrap returns an error of the kind with a translation key and a cause.
func Wrap(kind Kind, key string, err error) *Error { return &Error{Kind: kind, Key: key, Err: err} }

// Field returns an Invalid error about one field.
func Field(field, key string) *Error {
	var fe FieldErrors
	fe.Add(field, key)
	return &Error{Kind: Invalid, Key: "error.invalid", Fields: fe}
}

// KindOf returns the kind of err, Internal when it is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns err as an *Error when it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// IsNotFound reports whether err is a NotFound error.
func IsNotFound(err error) bool { return KindOf(err) == NotFound }
