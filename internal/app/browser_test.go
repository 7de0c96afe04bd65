//go:build browser

package app_test

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// One headless Chromium for the whole package; each test gets its own
// browser context (its own cookies), as separate people would.
var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel context.CancelFunc
	browserErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if browserCancel != nil {
		browserCancel()
	}
	os.Exit(code)
}

func startBrowser() {
	path := os.Getenv("EMGEK_TEST_CHROMIUM")
	if path == "" {
		browserErr = errNoChromium
		return
	}
	dir, err := os.MkdirTemp("", "emgek-chromium-")
	if err != nil {
		browserErr = err
		return
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(dir),
		chromedp.WindowSize(1280, 1024),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		cancel()
		cancelAlloc()
		browserErr = err
		return
	}
	browserCtx = ctx
	browserCancel = func() { cancel(); cancelAlloc(); os.RemoveAll(dir) }
}

type errString string

func (e errString) Error() string { return string(e) }

const errNoChromium = errString("EMGEK_TEST_CHROMIUM is not set: run the tests with scripts/test.sh")

// newTab opens a tab in a fresh browser context for the test.
func newTab(t *testing.T) context.Context {
	t.Helper()
	browserOnce.Do(startBrowser)
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}

// run runs steps and fails the test with a screenshot on error.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		shot(t, ctx, "failed-"+what)
		t.Fatalf("%s: %v", what, err)
	}
}

// shot saves a screenshot when EMGEK_TEST_SCREENSHOTS names a folder.
func shot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("EMGEK_TEST_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	name = strings.NewReplacer("/", "_", " ", "_").Replace(t.Name() + "-" + name)
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// text returns the visible text of the first element matching sel.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		shot(t, ctx, "text")
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func decodeB64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// qrOfPDF downloads a PDF as the tab's browser does (with its session),
// renders its first page and returns what its QR code says, as a checker
// with a phone would read it.
func qrOfPDF(t *testing.T, tab context.Context, path string) string {
	t.Helper()
	raw, err := chromedp.Run(tab, chromedp.Evaluate[string](`fetch('`+path+`').then(r => r.arrayBuffer()).then(b => { let s = ''; new Uint8Array(b).forEach(x => s += String.fromCharCode(x)); return btoa(s) })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "document.pdf")
	if err := os.WriteFile(file, decodeB64(t, raw), 0o644); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "page")
	if err := exec.Command("pdftoppm", "-png", "-r", "150", "-singlefile", file, page).Run(); err != nil {
		t.Fatal(err)
	}
	code, err := exec.Command("zbarimg", "--quiet", "--raw", page+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimSpace(string(code))
}
