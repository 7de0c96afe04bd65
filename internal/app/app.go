// Package app wires Emgek together: configuration, database, services,
// HTTP surfaces and jobs. It is the only package that imports them all.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the jurisdictions' time zones on any machine

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/emgek/emgek/internal/account"
	"github.com/emgek/emgek/internal/apperr"
	"github.com/emgek/emgek/internal/audit"
	"github.com/emgek/emgek/internal/backoffice"
	"github.com/emgek/emgek/internal/blob"
	"github.com/emgek/emgek/internal/cabinet"
	"github.com/emgek/emgek/internal/captcha"
	"github.com/emgek/emgek/internal/casework"
	"github.com/emgek/emgek/internal/classifier"
	"github.com/emgek/emgek/internal/config"
	"github.com/emgek/emgek/internal/db"
	"github.com/emgek/emgek/internal/devpki"
	"github.com/emgek/emgek/internal/document"
	"github.com/emgek/emgek/internal/esign"
	"github.com/emgek/emgek/internal/i18n"
	"github.com/emgek/emgek/internal/jobs"
	"github.com/emgek/emgek/internal/keyfile"
	"github.com/emgek/emgek/internal/mail"
	"github.com/emgek/emgek/internal/message"
	"github.com/emgek/emgek/internal/ncalayer"
	"github.com/emgek/emgek/internal/permit"
	"github.com/emgek/emgek/internal/profile"
	"github.com/emgek/emgek/internal/public"
	"github.com/emgek/emgek/internal/quota"
	"github.com/emgek/emgek/internal/registry"
	"github.com/emgek/emgek/internal/staff"
	"github.com/emgek/emgek/internal/throttle"
	"github.com/emgek/emgek/internal/verify"
	"github.com/emgek/emgek/internal/web"
)

// Options are what tests inject; the zero value is production's.
type Options struct {
	Log          *slog.Logger
	Now          func() time.Time
	Backoff      jobs.Backoff
	PollInterval time.Duration
}

// App is a wired Emgek instance.
type App struct {
	Config    *config.Config
	DB        *db.DB
	Log       *slog.Logger
	Kit       *web.Kit
	Router    *web.Router
	Handler   http.Handler
	Jobs      *jobs.Queue
	Accounts  *account.Service
	Staff     *staff.Service
	Captcha   *captcha.Service
	Documents *document.Service
	Outbox    *mail.Outbox // nil unless mail goes to the dev outbox
	smtp      *mail.SMTP   // nil unless mail goes over SMTP
	Sealer    *audit.Sealer
	Messages  *message.Service
	Profiles  *profile.Service
	// Occupations is the ISCO-08 classifier, loaded once.
	Occupations *classifier.Occupations
	Quotas      *quota.Service
	Issuer      *verify.Issuer
	Permits     *permit.Service
	// Signatures checks Kazakhstan's EDS logins and signed actions.
	Signatures *esign.Service
	// DevPKI and StandIn are --dev's demo CA and NCALayer stand-in.
	DevPKI  *devpki.PKI
	StandIn *ncalayer.StandIn
	// NCALayerURL is where the pages reach NCALayer (the stand-in's in --dev).
	NCALayerURL string

	confirmEvery time.Duration      // how often marked applications get their emails queued
	stopLoops    context.CancelFunc // ends the background loops Start began
	loops        sync.WaitGroup
}

// New opens and migrates the database and wires everything; call Start to
// work jobs and Close at the end.
func New(ctx context.Context, cfg *config.Config, opt Options) (*App, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	dbURL := cfg.DatabaseURL
	if dbURL == "" {
		dbURL = "sqlite:" + cfg.SQLitePath()
	}
	d, err := db.Open(ctx, dbURL)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, DB: d, Log: opt.Log, confirmEvery: 250 * time.Millisecond}
	if opt.PollInterval > 0 {
		a.confirmEvery = opt.PollInterval
	}
	if err := a.wire(ctx, opt); err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) wire(ctx context.Context, opt Options) error {
	cfg, d := a.Config, a.DB
	if err := d.Migrate(ctx); err != nil {
		return err
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	blobs, err := blob.Open(cfg.BlobDir())
	if err != nil {
		return err
	}
	var sender mail.Sender
	switch {
	case cfg.SMTPURL != "":
		if a.smtp, err = mail.NewSMTP(cfg.SMTPURL, cfg.MailFrom); err != nil {
			return err
		}
		sender = a.smtp
	case cfg.Dev:
		a.Outbox = &mail.Outbox{DB: d, Now: opt.Now}
		sender = a.Outbox
	default:
		return cfg.ValidateProduction()
	}
	renderer, err := mail.NewRenderer(cat, cfg.BaseURL)
	if err != nil {
		return err
	}
	secret, err := d.Secret(ctx, "login_device")
	if err != nil {
		return err
	}
	thr := &throttle.Throttle{DB: d, Now: opt.Now}
	cabinetGuard := &throttle.LoginGuard{T: thr, Realm: "cabinet", Secret: secret}
	staffGuard := &throttle.LoginGuard{T: thr, Realm: "staff", Secret: secret}
	loc, err := time.LoadLocation("Asia/Bishkek")
	if err != nil {
		return err
	}
	a.Documents = &document.Service{DB: d, Blobs: blobs, Now: opt.Now}
	key, err := keyfile.Load(cfg.AuditKeyFile, cfg.Dev)
	if err != nil {
		return err
	}
	a.Sealer = &audit.Sealer{DB: d, Key: key, Now: opt.Now}
	signing, err := keyfile.Load(cfg.SigningKeyFile, cfg.Dev)
	if err != nil {
		return err
	}
	a.Issuer = &verify.Issuer{DB: d, Blobs: blobs, Signer: verify.NewSigner(signing), BaseURL: cfg.BaseURL, Now: opt.Now}
	a.Jobs, err = jobs.New(d, jobs.Config{Log: a.Log, Sender: sender, Mail: renderer, Backoff: opt.Backoff,
		PollInterval: opt.PollInterval, Domain: hostOf(cfg.BaseURL), Now: opt.Now,
		Sweeps: []jobs.Sweep{
			{Name: "drafts", Every: time.Hour, Run: a.Documents.SweepDrafts},
			{Name: "throttles", Every: time.Hour, Run: func(ctx context.Context) error { return thr.Sweep(ctx, 24*time.Hour) }},
			{Name: "audit_seal", Every: time.Minute, Run: func(ctx context.Context) error { _, err := a.Sealer.Seal(ctx); return err }},
			{Name: "permits", Every: time.Hour, Run: func(ctx context.Context) error { return a.Permits.Sweep(ctx) }},
			{Name: "eds", Every: time.Hour, Run: a.sweepEDS},
		}})
	if err != nil {
		return err
	}
	if err := a.wireEDS(ctx, opt.Now, thr); err != nil {
		return err
	}
	a.Quotas = &quota.Service{DB: d, Now: opt.Now, Jobs: a.Jobs}
	a.Captcha = &captcha.Service{DB: d, Now: opt.Now}
	a.Accounts = &account.Service{DB: d, Jobs: a.Jobs, Documents: a.Documents, Guard: cabinetGuard, Now: opt.Now, BaseURL: cfg.BaseURL, Location: loc,
		KZ: a.kzRegistries()}
	a.Messages = &message.Service{DB: d, Jobs: a.Jobs, Now: opt.Now}
	if a.Occupations, err = classifier.LoadOccupations(ctx, d); err != nil {
		return err
	}
	a.Profiles = &profile.Service{DB: d, Documents: a.Documents, Jobs: a.Jobs, Now: opt.Now, Location: loc}
	var passports registry.Passports = &registry.Client{BaseURL: cfg.PassportRegistryURL, Token: cfg.PassportRegistryToken}
	if cfg.PassportRegistryURL == "" {
		passports = &registry.Demo{Now: opt.Now}
		if !cfg.Dev {
			a.Log.Warn("no foreign-persons registry configured (EMGEK_PASSPORT_REGISTRY_URL): the demo registry answers, and its data is marked as demo data")
		}
	}
	a.Permits = &permit.Service{DB: d, Passports: passports, Jobs: a.Jobs, Now: opt.Now, Throttle: thr}
	a.Staff = &staff.Service{DB: d, Jobs: a.Jobs, Guard: staffGuard, Now: opt.Now, BaseURL: cfg.BaseURL, Lang: cfg.DefaultLang}

	secure := strings.HasPrefix(cfg.BaseURL, "https://")
	a.Kit, err = web.NewKit(a.Log, cat, web.NewSessions(d, secure), cfg.DefaultLang, cfg.BaseURL, cfg.Dev, opt.Now)
	if err != nil {
		return err
	}
	a.Kit.TrustedProxies = cfg.TrustedProxies
	a.Router = web.NewRouter(a.Kit)
	a.routes(cabinetGuard, staffGuard)
	a.Handler = a.handler()
	return nil
}

func (a *App) routes(cabinetGuard, staffGuard *throttle.LoginGuard) {
	rt, k := a.Router, a.Kit
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(web.Collectors()...)
	reg.MustRegister(jobs.Collectors()...)

	rt.HandleRaw("GET /static/", web.StaticHandler())
	rt.HandleRaw("GET /healthz", public.Health(a.DB))
	rt.HandleRaw("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	(&public.Handler{Kit: k, DB: a.DB, Captcha: a.Captcha, Accounts: a.Accounts, Staff: a.Staff, Occupations: a.Occupations,
		Issuer: a.Issuer, Quotas: a.Quotas, Permits: a.Permits}).Routes(rt)
	(&cabinet.Handler{Kit: k, DB: a.DB, Accounts: a.Accounts, Documents: a.Documents, Captcha: a.Captcha, Guard: cabinetGuard, Messages: a.Messages, Profiles: a.Profiles,
		Quotas: a.Quotas, Permits: a.Permits, Occupations: a.Occupations, Issuer: a.Issuer, Signatures: a.Signatures, NCALayerURL: a.NCALayerURL}).Routes(rt)
	(&backoffice.Handler{Kit: k, DB: a.DB, Accounts: a.Accounts, Documents: a.Documents, Staff: a.Staff, Guard: staffGuard, Messages: a.Messages, Profiles: a.Profiles,
		Quotas: a.Quotas, Permits: a.Permits, Occupations: a.Occupations, Signatures: a.Signatures}).Routes(rt)
	if a.Config.Dev {
		(&public.Dev{Kit: k, Outbox: a.Outbox, StandIn: a.StandIn, PKI: a.DevPKI, NCALayerURL: a.NCALayerURL}).Routes(rt)
	}
}

// sessionless paths carry no session: they are hit often (checkers at a
// border post scanning QR codes) and need none.
func sessionless(path string) bool {
	return strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/verify/") || path == "/healthz" || path == "/metrics"
}

func (a *App) handler() http.Handler {
	k := a.Kit
	withSession := k.Session(a.loadPrincipal)(a.Router.Mux)
	withoutSession := k.Locale(a.Router.Mux)
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sessionless(r.URL.Path) {
			withoutSession.ServeHTTP(w, r)
			return
		}
		withSession.ServeHTTP(w, r)
	})
	return web.Chain(root, k.Recover, web.Compress, k.ClientAddress, k.RequestLog, web.SecurityHeaders(a.NCALayerURL), k.CrossOrigin, k.Flashes)
}

// loadPrincipal turns a session's account into who is logged in, or nil
// when that account may no longer use the session.
func (a *App) loadPrincipal(ctx context.Context, kind string, id, member int64, since time.Time) (*web.Principal, error) {
	switch kind {
	case "cabinet":
		c, unread, err := account.ForSession(ctx, a.DB, id)
		if apperr.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if !c.CanLogIn(since) {
			return nil, nil
		}
		p := &web.Principal{Kind: kind, ID: id, Role: web.Role(c.Kind), Name: c.DisplayName(), Email: c.Email, Lang: c.Lang, Unread: unread}
		if c.BIN != "" { // an organisation: only through a member who still may act for it
			m, err := account.MemberByID(ctx, a.DB, member)
			if err != nil || m == nil || m.Cabinet != id {
				return nil, err
			}
			p.Member, p.MemberRole = m.ID, m.Role
		}
		return p, nil
	case "staff":
		m, err := staff.ByID(ctx, a.DB, id)
		if apperr.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if !m.CanLogIn(since) {
			return nil, nil
		}
		return &web.Principal{Kind: kind, ID: id, Role: web.Role(m.Role), Name: m.Name, Email: m.Email, Lang: m.Lang}, nil
	}
	return nil, nil
}

// Start works jobs in the background.
func (a *App) Start(ctx context.Context) error {
	if err := a.Jobs.Start(ctx); err != nil {
		return err
	}
	ctx, a.stopLoops = context.WithCancel(ctx)
	a.loops.Go(func() { a.confirmLoop(ctx) })
	return nil
}

// confirmBatch bounds one transaction of confirmLoop: small enough that
// the one SQLite writer is not held long from the applications coming in.
const confirmBatch = 100

// confirmLoop queues the "application received" emails of applications
// sent since (their lifecycle marks them), every confirmEvery.
func (a *App) confirmLoop(ctx context.Context) {
	t := time.NewTicker(a.confirmEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for {
				n, err := casework.SendConfirmations(ctx, a.DB, a.Jobs, confirmBatch)
				if err != nil && ctx.Err() == nil {
					a.Log.Error("queueing confirmations", "err", err)
				}
				if err != nil || n < confirmBatch {
					break
				}
			}
		}
	}
}

// Close stops the jobs (waiting up to a few seconds) and the database.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	if a.stopLoops != nil {
		a.stopLoops()
		a.loops.Wait()
	}
	if a.Jobs != nil {
		if serr := a.Jobs.Stop(ctx); serr != nil && !errors.Is(serr, context.DeadlineExceeded) && !strings.Contains(serr.Error(), "not started") {
			err = fmt.Errorf("stop jobs: %w", serr)
		}
	}
	if a.StandIn != nil {
		err = errors.Join(err, a.StandIn.Close())
	}
	if a.smtp != nil {
		a.smtp.Close() // after the jobs: none is sending
	}
	return errors.Join(err, a.DB.Close())
}

func hostOf(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" {
		return "emgek"
	}
	return u.Hostname()
}
