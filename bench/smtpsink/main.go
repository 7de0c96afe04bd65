// Command smtpsink is the mail relay of a load run (bench/run.sh): an SMTP
// server that accepts every message and keeps none, standing for the
// ministry's relay on another machine. With it the portal sends its emails
// as in production — over SMTP, its job done when the relay has the
// message — instead of writing each into the development outbox, a
// database write per email the portal would not make in production.
//
//	go run ./bench/smtpsink -addr 127.0.0.1:2525
//
// Every 5 seconds it prints how many messages it took in them, so a run's
// log shows whether the portal's emails kept up with its submissions; it
// prints the total when stopped.
package main

import (
	"flag"
	"io"
	"log"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/emersion/go-smtp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:2525", "listen address")
	flag.Parse()
	var taken atomic.Int64
	s := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{taken: &taken}, nil }))
	s.Addr = *addr
	s.Domain = "sink.invalid"
	s.ReadTimeout, s.WriteTimeout = time.Minute, time.Minute
	s.MaxMessageBytes = 10 << 20
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
		<-stop
		log.Printf("smtpsink: %d messages taken", taken.Load())
		s.Close()
		os.Exit(0)
	}()
	go func() {
		var before int64
		for range time.Tick(5 * time.Second) {
			if n := taken.Load(); n != before {
				log.Printf("smtpsink: %d messages in 5 s (%d in all)", n-before, n)
				before = n
			}
		}
	}()
	log.Printf("smtpsink on %s", *addr)
	log.Fatal(s.ListenAndServe())
}

// session takes a message and forgets it.
type session struct{ taken *atomic.Int64 }

func (s *session) Reset()                               {}
func (s *session) Logout() error                        { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *session) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	s.taken.Add(1)
	return nil
}
