package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/demo"
	"steward/store/portfolio"
)

// The verification: the demo's report in a real browser. Headless
// Chromium renders it to a PNG and to PDFs on Letter and A4, with the
// network out of reach, and its own network log shows the page asked for
// nothing.

var (
	browserAsOf = metrics.NewDate(2026, time.November, 23)
	browserNow  = time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC)
)

// chromium finds the browser, or skips the test, except under CI where a
// missing browser fails it (.ci/run installs Debian's chromium).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true and no chromium on PATH: .ci/run installs it (apt-get install -y chromium)")
	}
	t.Skip("no chromium on PATH: install it (Debian: apt-get install -y chromium) to check the HTML report in a real browser")
	return ""
}

// demoReport renders the demo portfolio's report, as `steward demo` and
// `steward report --format html` make it on the fixed day.
func demoReport(t *testing.T, dir string) (portfolio.Report, string) {
	t.Helper()
	db := filepath.Join(dir, "d.db")
	if _, err := demo.Write(db, demo.Options{Seed: 1, Today: browserAsOf, Now: browserNow}); err != nil {
		t.Fatal(err)
	}
	r, err := portfolio.LoadReport(db, store.Options{}, browserAsOf, browserNow)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "r.html")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return r, path
}

// browse runs headless Chromium on page with extra arguments (a
// screenshot or a PDF). The network is out of reach: as root it runs in
// a network namespace of its own (unshare -n: not even a loopback that
// is up); otherwise every host resolves to nothing and the proxy is a
// closed port. It returns the page-made requests from Chromium's network
// log: every URL request with an origin as its initiator (the browser's
// own update checks have none and are not the page's doing).
func browse(t *testing.T, bin, dir, page string, args ...string) []string {
	t.Helper()
	netlog := filepath.Join(dir, fmt.Sprintf("netlog-%d.json", time.Now().UnixNano()))
	argv := append([]string{bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
		"--no-first-run", "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--disable-extensions", "--mute-audio", "--force-color-profile=srgb",
		"--user-data-dir=" + filepath.Join(dir, "profile"),
		"--proxy-server=127.0.0.1:9", `--host-resolver-rules=MAP * ~NOTFOUND`,
		"--log-net-log=" + netlog, "--net-log-capture-mode=Default"}, args...)
	argv = append(argv, "file://"+page)
	if unshare, err := exec.LookPath("unshare"); err == nil && os.Geteuid() == 0 {
		argv = append([]string{unshare, "-n"}, argv...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	raw, err := os.ReadFile(netlog)
	if err != nil {
		t.Fatalf("chromium wrote no network log: %v\n%s", err, out)
	}
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int            `json:"type"`
			Params map[string]any `json:"params"`
		} `json:"events"`
	}
	// Chromium may end the file without closing the list when it exits.
	if err := json.Unmarshal(raw, &log); err != nil {
		fixed := strings.TrimRight(strings.TrimSpace(string(raw)), ",") + "]}"
		if err2 := json.Unmarshal([]byte(fixed), &log); err2 != nil {
			t.Fatalf("reading chromium's network log: %v", err)
		}
	}
	start, ok := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok {
		t.Fatalf("the network log names no URL_REQUEST_START_JOB event")
	}
	var asked []string
	for _, e := range log.Events {
		if e.Type != start {
			continue
		}
		url, _ := e.Params["url"].(string)
		if url == "" {
			continue // the job's end: its start named the URL
		}
		if init, _ := e.Params["initiator"].(string); init != "not an origin" && !strings.HasPrefix(url, "file:") && !strings.HasPrefix(url, "data:") {
			asked = append(asked, url)
		}
	}
	return asked
}

func TestReportInABrowser(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	r, page := demoReport(t, dir)
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if n := checkPage(t, string(html)); n != 4 {
		t.Errorf("the demo's report has %d charts, want 4", n)
	}
	checkSelfContained(t, string(html))
	if len(r.AtRisk) == 0 || len(r.TopEscalations) == 0 || len(r.Members) == 0 || r.Trends == nil || len(r.Summary) == 0 {
		t.Fatalf("the demo proves little: %d at risk, %d escalations, %d members", len(r.AtRisk), len(r.TopEscalations), len(r.Members))
	}

	// The detector works: a page that does ask for an image is caught.
	control := filepath.Join(dir, "control.html")
	os.WriteFile(control, []byte(`<!DOCTYPE html><html><body><p>control</p><img src="http://example.invalid/pixel.png"/></body></html>`), 0o644)
	if asked := browse(t, bin, dir, control, "--screenshot="+filepath.Join(dir, "control.png"), "--window-size=400,300"); len(asked) == 0 {
		t.Fatalf("the network log did not show the control page's image request: the check below would prove nothing")
	}

	const width, height = 1100, 2500
	shot := filepath.Join(dir, "r.png")
	if asked := browse(t, bin, dir, page, "--screenshot="+shot, fmt.Sprintf("--window-size=%d,%d", width, height)); len(asked) > 0 {
		t.Errorf("the report asked the network for %v", asked)
	}
	checkScreenshot(t, shot, width, height)

	// Letter is Chromium's default paper; A4 is set by a copy of the page
	// with its @page size named.
	a4 := filepath.Join(dir, "r-a4.html")
	os.WriteFile(a4, bytes.Replace(html, []byte("</head>"), []byte("<style>@page { size: A4; }</style></head>"), 1), 0o644)
	for _, c := range []struct{ name, page string }{{"Letter", page}, {"A4", a4}} {
		pdf := filepath.Join(dir, "r-"+c.name+".pdf")
		if asked := browse(t, bin, dir, c.page, "--print-to-pdf="+pdf, "--no-pdf-header-footer"); len(asked) > 0 {
			t.Errorf("printing on %s, the report asked the network for %v", c.name, asked)
		}
		n, size := pdfPages(t, pdf)
		if n < 1 || n > 3 {
			t.Errorf("on %s the report prints on %d pages, want 1 to 3", c.name, n)
		}
		// Letter is 612x792 points, A4 595x842.
		if want := map[string]string{"Letter": "(letter)", "A4": "(A4)"}[c.name]; size != "" && !strings.Contains(size, want) {
			t.Errorf("the %s PDF's pages are %q", c.name, size)
		}
		t.Logf("%s: %d pages (%s)", c.name, n, size)
	}
	if out := os.Getenv("STEWARD_REPORT_PNG"); out != "" {
		// How docs/report.png is made: STEWARD_REPORT_PNG=docs/report.png.
		if b, err := os.ReadFile(shot); err == nil {
			os.WriteFile(out, b, 0o644)
		}
	}
}

// checkScreenshot asserts the PNG is the window's size, mostly page with
// plenty drawn on it, and that the charts' colours are there.
func checkScreenshot(t *testing.T, path string, width, height int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != width || b.Dy() != height {
		t.Fatalf("the screenshot is %dx%d, want %dx%d", b.Dx(), b.Dy(), width, height)
	}
	inked, nrrBlue, bandGreen := 0, 0, 0
	near := func(r, g, b uint32, c [3]uint32) bool {
		d := func(a, b uint32) uint32 {
			if a > b {
				return a - b
			}
			return b - a
		}
		return d(r, c[0]) < 24 && d(g, c[1]) < 24 && d(b, c[2]) < 24
	}
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			r, g, b = r>>8, g>>8, b>>8
			if r < 245 || g < 245 || b < 245 {
				inked++
			}
			if near(r, g, b, [3]uint32{0x1c, 0x7e, 0xd6}) {
				nrrBlue++
			}
			if near(r, g, b, [3]uint32{0x2f, 0x9e, 0x44}) {
				bandGreen++
			}
		}
	}
	share := float64(inked) / float64(width*height)
	t.Logf("screenshot %dx%d: %.1f%% inked, %d NRR-blue and %d band-green pixels", width, height, share*100, nrrBlue, bandGreen)
	if share < 0.04 || share > 0.6 {
		t.Errorf("%.1f%% of the screenshot is drawn on: blank, or not a page", share*100)
	}
	if nrrBlue < 200 || bandGreen < 2000 {
		t.Errorf("the charts did not draw: %d NRR-blue, %d band-green pixels", nrrBlue, bandGreen)
	}
}

// pdfPages counts a PDF's pages with pdfinfo (poppler-utils) when it is
// there, else by its page objects; it also returns pdfinfo's page size.
func pdfPages(t *testing.T, path string) (int, string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(raw, []byte("%PDF-")) {
		t.Fatalf("no PDF at %s: %v", path, err)
	}
	if pdfinfo, err := exec.LookPath("pdfinfo"); err == nil {
		out, err := exec.Command(pdfinfo, path).Output()
		if err != nil {
			t.Fatalf("pdfinfo: %v", err)
		}
		pages := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
		size := regexp.MustCompile(`(?m)^Page size:\s+(.*)$`).FindSubmatch(out)
		if pages == nil {
			t.Fatalf("pdfinfo gave no page count:\n%s", out)
		}
		n, _ := strconv.Atoi(string(pages[1]))
		s := ""
		if size != nil {
			s = string(size[1])
		}
		return n, s
	}
	return len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(raw, -1)), ""
}
