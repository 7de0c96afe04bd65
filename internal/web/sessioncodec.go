package web

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sessionCodec encodes sessions, read on every request, in a compact
// binary form: gob sends its type descriptions with every session and
// decoding them was a twentieth of a busy page's time. Sessions hold
// strings, integers, booleans and times; a session holding anything else
// is written with gob, and sessions written with gob (before this codec,
// or holding other values) are still read.
//
// The form: the magic, the deadline, the number of values, then for each
// value its key, a type byte and the value.
type sessionCodec struct{}

// sessionMagic starts this codec's sessions; a gob stream never starts
// with a zero byte (it starts with its first message's length).
const sessionMagic = "\x00emgek-session-1\x00"

const (
	tagString = 's'
	tagInt64  = 'i'
	tagInt    = 'n'
	tagBool   = 'b'
	tagTime   = 't'
)

func (sessionCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	b := make([]byte, 0, 128)
	b = append(b, sessionMagic...)
	b, err := appendTime(b, deadline)
	if err != nil {
		return nil, err
	}
	b = binary.AppendUvarint(b, uint64(len(values)))
	for k, v := range values {
		b = appendString(b, k)
		switch v := v.(type) {
		case string:
			b = appendString(append(b, tagString), v)
		case int64:
			b = binary.AppendVarint(append(b, tagInt64), v)
		case int:
			b = binary.AppendVarint(append(b, tagInt), int64(v))
		case bool:
			t := byte(0)
			if v {
				t = 1
			}
			b = append(b, tagBool, t)
		case time.Time:
			if b, err = appendTime(append(b, tagTime), v); err != nil {
				return nil, err
			}
		default:
			return scs.GobCodec{}.Encode(deadline, values)
		}
	}
	return b, nil
}

// tolerantCodec reads a session it cannot decode (damaged, or written by
// a later release in a form this one does not know) as an empty one that
// has ended: its owner is logged out, instead of every page answering
// 500 until the session expires.
type tolerantCodec struct{ sessionCodec }

func (c tolerantCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	deadline, values, err := c.sessionCodec.Decode(b)
	if err != nil {
		return time.Now(), map[string]any{}, nil
	}
	return deadline, values, nil
}

func (sessionCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	rest, ok := bytes.CutPrefix(b, []byte(sessionMagic))
	if !ok {
		return scs.GobCodec{}.Decode(b)
	}
	r := sessionReader{b: rest}
	deadline := r.time()
	n := r.uvarint()
	if n > uint64(len(r.b)) { // each value takes a few bytes at least
		r.err = errTruncated
	}
	values := make(map[string]any, min(n, 64))
	for i := uint64(0); i < n && r.err == nil; i++ {
		k := r.string()
		switch tag := r.byte(); tag {
		case tagString:
			values[k] = r.string()
		case tagInt64:
			values[k] = r.varint()
		case tagInt:
			values[k] = int(r.varint())
		case tagBool:
			values[k] = r.byte() == 1
		case tagTime:
			values[k] = r.time()
		default:
			if r.err == nil {
				r.err = fmt.Errorf("unknown value type %q", tag)
			}
		}
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = errors.New("bytes after the values")
	}
	if r.err != nil {
		return time.Time{}, nil, fmt.Errorf("web: session: %w", r.err)
	}
	return deadline, values, nil
}

func appendTime(b []byte, t time.Time) ([]byte, error) {
	tb, err := t.MarshalBinary()
	return appendString(b, string(tb)), err
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// sessionReader reads a session's parts; after the first problem it
// reads nothing and keeps that problem.
type sessionReader struct {
	b   []byte
	err error
}

var errTruncated = errors.New("truncated")

// varint reads what binary.AppendVarint wrote: a zig-zag uvarint.
func (r *sessionReader) varint() int64 {
	u := r.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

func (r *sessionReader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.err = errTruncated
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *sessionReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errTruncated
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *sessionReader) string() string {
	n := r.uvarint()
	if r.err != nil {
		return ""
	}
	if uint64(len(r.b)) < n {
		r.err = errTruncated
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *sessionReader) time() time.Time {
	var t time.Time
	if s := r.string(); r.err == nil {
		r.err = t.UnmarshalBinary([]byte(s))
	}
	return t
}
