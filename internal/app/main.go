package app

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/config"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/keyfile"
	"github.com/emgek/emgek/internal/staff"
)

const usage = `emgek — the e-services portal of a labour and migration ministry

Usage:
  emgek serve [--addr 127.0.0.1:8080] [--data ./data] [--dev]   migrate and serve
  emgek migrate [--data ./data]                                  migrate only
  emgek operator add --email E --name N --role admin|operator    create a back-office account
                                                                 (password read from stdin)
  emgek demo [--data ./data] [--applications N]                  load demo people (idempotent); N: also N applications
  emgek audit verify [--data ./data]                             check the audit log's rows, chain and checkpoints
  emgek keygen [--data ./data]                                   create the signing keys production needs (kept when present)
  emgek config [--data ./data] [--dev]                           print the configuration, secrets redacted
  emgek help                                                     this text

Configuration comes from EMGEK_* environment variables (see README);
flags override them.
`

// Main runs the command in args and returns the exit code.
func Main(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[1], args[2:]; cmd {
	case "serve":
		err = serve(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		err = migrate(ctx, rest, getenv, stdout)
	case "operator":
		err = operator(ctx, rest, getenv, stdin, stdout)
	case "demo":
		err = demo(ctx, rest, getenv, stdout)
	case "audit":
		err = auditCmd(ctx, rest, getenv, stdout)
	case "keygen":
		err = keygen(rest, getenv, stdout)
	case "config":
		err = printConfig(rest, getenv, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "emgek: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "emgek %s: %v\n", args[1], err)
		return 1
	}
	return 0
}

func load(name string, args []string, getenv func(string) string) (*config.Config, *flag.FlagSet, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cfg, err := config.Load(fs, args, getenv)
	return cfg, fs, err
}

func logger(cfg *config.Config, w io.Writer) *slog.Logger {
	if cfg.Dev {
		return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, _, err := load("serve", args, getenv)
	if err != nil {
		return err
	}
	if !cfg.Dev {
		if err := cfg.ValidateProduction(); err != nil {
			return fmt.Errorf("refusing to start without what production needs (or run with --dev):\n%w", err)
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.Dev && getenv("EMGEK_BASE_URL") == "" {
		cfg.BaseURL = "http://" + ln.Addr().String()
	}
	log := logger(cfg, stderr)
	tuneMemory(getenv)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := New(ctx, cfg, Options{Log: log})
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	if cfg.Dev {
		if err := a.loadDemo(ctx, stdout); err != nil {
			return err
		}
	}
	if err := a.Start(ctx); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "Emgek is serving %s on %s (database: %s)\n", cfg.BaseURL, ln.Addr(), a.DB.Dialect)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, _, err := load("migrate", args, getenv)
	if err != nil {
		return err
	}
	cfg.Dev = true // migrating needs no SMTP
	a, err := New(ctx, cfg, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(stdout, "database migrated (%s)\n", a.DB.Dialect)
	return nil
}

func operator(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: emgek operator add --email E --name N --role admin|operator (password on stdin)")
	}
	fs := flag.NewFlagSet("operator add", flag.ContinueOnError)
	email := fs.String("email", "", "email, the login")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "operator", "admin or operator")
	unit := fs.String("unit", "", "unit of the ministry")
	cfg, err := config.Load(fs, args[1:], getenv)
	if err != nil {
		return err
	}
	cfg.Dev = true // creating an account sends no email
	pw, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	a, err := New(ctx, cfg, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := a.Staff.Create(ctx, staff.Input{Email: *email, Name: *name, Role: staff.Role(*role), Unit: *unit},
		strings.TrimRight(pw, "\r\n"), audit.Event{Actor: "system", Detail: "command line"})
	if err != nil {
		return describe(a, err)
	}
	fmt.Fprintf(stdout, "created %s %s (id %d)\n", m.Role, m.Email, m.ID)
	return nil
}

func demo(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	applications := fs.Int("applications", 0, "also fill the database with this many applications")
	cfg, err := config.Load(fs, args, getenv)
	if err != nil {
		return err
	}
	cfg.Dev = true
	a, err := New(ctx, cfg, Options{Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.loadDemo(ctx, stdout); err != nil {
		return err
	}
	if *applications > 0 {
		return a.seedApplications(ctx, *applications, stdout)
	}
	return nil
}

func printConfig(args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, _, err := load("config", args, getenv)
	if err != nil {
		return err
	}
	fmt.Fprint(stdout, cfg.Dump())
	return nil
}

func auditCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("usage: emgek audit verify")
	}
	cfg, _, err := load("audit verify", args[1:], getenv)
	if err != nil {
		return err
	}
	// Read-only: no migration, no sealing, no new key.
	key, err := keyfile.Load(cfg.AuditKeyFile, false)
	if err != nil {
		return err
	}
	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		dbURL = "sqlite:" + cfg.SQLitePath()
	}
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer d.Close()
	rep, err := audit.Verify(ctx, d, map[string]ed25519.PublicKey{key.ID: key.Public})
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, "FAIL", p)
	}
	fmt.Fprintf(stdout, "audit log: %d rows sealed, %d checkpoints, %d waiting to be sealed\n", rep.Sealed, rep.Checkpoints, rep.Unsealed)
	if !rep.OK() {
		return fmt.Errorf("the audit log has been tampered with (%d problems)", len(rep.Problems))
	}
	fmt.Fprintln(stdout, "OK")
	return nil
}

// keygen creates the signing keys a production server needs and that
// do not exist yet; existing keys are kept (replacing one would orphan
// what it signed).
func keygen(args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, _, err := load("keygen", args, getenv)
	if err != nil {
		return err
	}
	for _, k := range []struct{ what, path string }{{"audit checkpoints", cfg.AuditKeyFile}, {"printed documents", cfg.SigningKeyFile}} {
		if _, err := os.Stat(k.path); err == nil {
			fmt.Fprintf(stdout, "kept     %s (%s)\n", k.path, k.what)
			continue
		}
		key, err := keyfile.Load(k.path, true)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created  %s (%s), key id %s, public key %x\n", k.path, k.what, key.ID, []byte(key.Public))
	}
	return nil
}

// tuneMemory trades memory the server has for collector time it lacks: a
// request allocates little that lives, so the collector may wait until the
// heap is three times the live set (GOGC=200) — and, in a container with a
// memory limit, collect harder past three quarters of it (GOMEMLIMIT).
// Either set in the environment wins.
func tuneMemory(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	if getenv("GOMEMLIMIT") == "" {
		if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
			if limit, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && limit > 0 {
				debug.SetMemoryLimit(limit / 4 * 3)
			}
		}
	}
}
