package transfer

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/term"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// expCol is one exported column: its CSV header, its JSON key, and the
// import field it feeds ("" for computed columns the importer skips).
type expCol struct {
	csv, json, field string
}

// jsonOnly is a list a CSV cell cannot hold (the objectives): CSV leaves
// the column out.
func (c expCol) jsonOnly() bool { return c.field == fObjectives }

var exportCols = map[Kind][]expCol{
	Accounts: {
		{"Account ID", "account_id", fExt},
		{"Account Name", "account_name", fName},
		{"Account Owner", "account_owner", fOwner},
		{"Owner Email", "owner_email", fOwnerEmail},
		{"Segment", "segment", fSegment},
		{"Lifecycle", "lifecycle", fLifecycle},
		{"Plan", "plan", fPlan},
		{"ARR", "arr", fARR},
		{"Contract Start", "contract_start", fStart},
		{"Renewal Date", "renewal_date", fRenewal},
		{"Seats", "seats", fSeats},
		{"Active Users", "active_users", fActiveUsers},
		{"Tickets (30d)", "tickets_30d", fTickets},
		{"Open Critical Tickets", "open_critical_tickets", fCritical},
		{"Champion", "champion", fChampion},
		{"Champion Email", "champion_email", fChampionEmail},
		{"Champion Changed", "champion_changed", fChampionChanged},
		{"Last Touch", "last_touch", fLastTouch},
		{"Last QBR", "last_qbr", fLastQBR},
		{"NPS", "nps", fNPS},
		{"CSAT", "csat", fCSAT},
		{"Expansion Pipeline", "expansion_pipeline", fPipeline},
		{"Pipeline Stage", "pipeline_stage", fPipelineStage},
		{"Success Plan", "success_plan", fSuccessPlan},
		{"Override Band", "override_band", fOvBand},
		{"Override Reason", "override_reason", fOvReason},
		{"Override Author", "override_author", fOvAuthor},
		{"Override Expires", "override_expires", fOvExpires},
		{"Health Score", "health_score", ""},
		{"Band", "band", ""},
		{"Effective Segment", "effective_segment", ""},
		{"Flags", "flags", ""},
		{"Objectives", "objectives", fObjectives},
	},
	Members: {
		{"Name", "name", fName},
		{"Email", "email", fEmail},
		{"Role", "role", fRole},
		{"Capacity", "capacity", fCapacity},
		{"Last 1:1", "last_one_on_one", fOneOnOne},
		{"Active", "active", fActive},
		{"SSH Keys", "ssh_keys", fSSHKeys},
	},
	Escalations: {
		{"Escalation ID", "escalation_id", fEscID},
		{"Account ID", "account_id", fAccountExt},
		{"Account", "account", fAccountName},
		{"Title", "title", fTitle},
		{"Description", "description", fDescription},
		{"Severity", "severity", fSeverity},
		{"Status", "status", fStatus},
		{"Owner", "owner", fOwner},
		{"Raised By", "raised_by", fRaisedBy},
		{"Decision", "decision", fDecision},
		{"Created At", "created_at", fCreatedAt},
		{"Updated At", "updated_at", ""},
		{"Resolved At", "resolved_at", fResolvedAt},
		{"SLA Due", "sla_due", fSLADue},
		{"Breached", "breached", ""},
		{"Timeline Events", "timeline", ""}, // CSV: the count; JSON: the events
	},
	Activities: {
		{"Account ID", "account_id", fAccountExt},
		{"Account", "account", fAccountName},
		{"At", "at", fAt},
		{"Author", "author", fAuthor},
		{"Kind", "kind", fKind},
		{"Text", "text", fText},
	},
	Ledger: {
		{"Account ID", "account_id", ""},
		{"Account", "account", ""},
		{"Date", "date", ""},
		{"ARR", "arr", ""},
		{"Kind", "kind", ""},
		{"Author", "author", ""},
		{"Note", "note", ""},
	},
}

func exportColumns(k Kind) []expCol { return exportCols[k] }

// jv is one exported value with its JSON type. Values are encoded straight
// into the output line, so a row allocates nothing.
type jv struct {
	t  byte // 's' text, 'n' number, 'm' money (cents), 'd' day, 'i' instant, 'b' boolean, 'f' flags, 'z' null, 'r' raw JSON
	s  string
	n  int64
	at time.Time
}

func str(s string) jv          { return jv{t: 's', s: s} }
func num(n int64) jv           { return jv{t: 'n', n: n} }
func money(c int64) jv         { return jv{t: 'm', n: c} }
func flags(f metrics.Flags) jv { return jv{t: 'f', n: int64(f)} }
func boolean(b bool) jv {
	v := jv{t: 'b'}
	if b {
		v.n = 1
	}
	return v
}
func optional(o metrics.Opt) jv {
	if !o.Set {
		return jv{t: 'z'}
	}
	return num(int64(o.V))
}
func day(d metrics.Date) jv {
	if d.IsZero() {
		return jv{t: 'z'}
	}
	return jv{t: 'd', n: int64(d)}
}
func instant(t time.Time) jv {
	if t.IsZero() {
		return jv{t: 'z'}
	}
	return jv{t: 'i', at: t}
}

// table writes the rows of one export to its output as they come: CSV
// byte for byte as encoding/csv writes it, JSON as an array written
// element by element. Nothing but the current line is held.
type table struct {
	kind  Kind
	json  bool
	cols  []expCol
	w     *bufio.Writer
	line  []byte
	rows  int
	flags [64][]byte // each set of flags, encoded once
}

func newTable(k Kind, asJSON bool, w io.Writer) *table {
	t := &table{kind: k, json: asJSON, cols: exportCols[k], w: bufio.NewWriterSize(w, 64<<10)}
	if asJSON {
		t.w.WriteString("[")
		return t
	}
	for i, c := range t.cols {
		if c.jsonOnly() {
			continue
		}
		if i > 0 {
			t.line = append(t.line, ',')
		}
		t.line = appendCSVField(t.line, c.csv)
	}
	t.line = append(t.line, '\n')
	t.w.Write(t.line)
	return t
}

// add writes one row.
func (t *table) add(vals []jv) error {
	t.line = t.encode(t.line[:0], vals)
	return t.addEncoded(t.line)
}

// addEncoded writes one row encode made.
func (t *table) addEncoded(row []byte) error {
	t.rows++
	if t.json {
		if t.rows > 1 {
			t.w.WriteByte(',')
		}
		t.w.WriteString("\n  ")
	}
	_, err := t.w.Write(row)
	return err
}

// encode appends one row to b: a CSV line, or a JSON object without the
// separator before it.
func (t *table) encode(b []byte, vals []jv) []byte {
	if t.json {
		b = append(b, '{')
	}
	for i := range vals {
		v := &vals[i]
		if !t.json && t.cols[i].jsonOnly() {
			continue
		}
		if t.json {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = appendJSONString(b, t.cols[i].json)
			b = append(b, ": "...)
		} else if i > 0 {
			b = append(b, ',')
		}
		switch v.t {
		case 's':
			if t.json {
				b = appendJSONString(b, v.s)
			} else {
				b = appendCSVField(b, portfolio.CSVSafe(v.s))
			}
		case 'z':
			if t.json {
				b = append(b, "null"...)
			}
		case 'n':
			b = strconv.AppendInt(b, v.n, 10)
		case 'm':
			b = appendCents(b, v.n)
		case 'd', 'i':
			// Text in JSON; in CSV a plain cell, escaped like any text
			// should a year before 1 make it start with "-".
			at := len(b)
			if t.json {
				b = append(b, '"')
			}
			if v.t == 'd' {
				b = metrics.Date(v.n).Time().AppendFormat(b, "2006-01-02")
			} else {
				b = v.at.UTC().AppendFormat(b, time.RFC3339Nano)
			}
			if t.json {
				b = append(b, '"')
			} else if len(b) > at && portfolio.IsFormulaStart(b[at]) {
				b = append(b[:at], portfolio.CSVSafe(string(b[at:]))...)
			}
		case 'b':
			b = strconv.AppendBool(b, v.n != 0)
		case 'f':
			b = append(b, t.flagText(metrics.Flags(v.n))...)
		case 'r':
			if t.json {
				b = append(b, v.s...)
			} else {
				b = appendCSVField(b, v.s)
			}
		}
	}
	if t.json {
		b = append(b, '}')
	} else {
		b = append(b, '\n')
	}
	return b
}

// flagText is a set of flags as one CSV cell (the names, space-separated,
// as metrics.Flags.String gives them) or as a JSON array of the names.
func (t *table) flagText(f metrics.Flags) []byte {
	if int(f) >= len(t.flags) {
		return t.encodeFlags(f)
	}
	if t.flags[f] == nil {
		t.flags[f] = t.encodeFlags(f)
	}
	return t.flags[f]
}

func (t *table) encodeFlags(f metrics.Flags) []byte {
	if !t.json {
		return appendCSVField([]byte{}, portfolio.CSVSafe(f.String()))
	}
	b := []byte{'['}
	for i, n := range f.Names() {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendJSONString(b, n)
	}
	return append(b, ']')
}

func (t *table) finish() error {
	if t.json {
		if t.rows > 0 {
			t.w.WriteString("\n")
		}
		t.w.WriteString("]\n")
	}
	return t.w.Flush()
}

// appendCents is formatCents without the allocation.
func appendCents(b []byte, c int64) []byte {
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	b = strconv.AppendInt(b, c/100, 10)
	return append(b, '.', byte('0'+c%100/10), byte('0'+c%10))
}

// appendCSVField appends one CSV cell exactly as encoding/csv's Writer
// (comma-separated, UseCRLF false) writes it: quoted when it holds a
// comma, a quote, CR or LF, starts with a space, or is \. alone; quotes
// doubled inside.
func appendCSVField(b []byte, f string) []byte {
	if !csvNeedsQuotes(f) {
		return append(b, f...)
	}
	b = append(b, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			b = append(b, '"', '"')
		} else {
			b = append(b, f[i])
		}
	}
	return append(b, '"')
}

func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		if c := f[i]; c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// appendJSONString appends s as a JSON string, unescaped beyond what JSON
// requires (no \u003c for <, as encoding/json would write), with U+2028
// and U+2029 escaped for JavaScript's sake.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, `\n`...)
			case c == '\r':
				b = append(b, `\r`...)
			case c == '\t':
				b = append(b, `\t`...)
			case c < 0x20:
				b = append(b, `\u00`...)
				b = append(b, hex[c>>4], hex[c&0xF])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028':
			b = append(b, `\u2028`...)
		case r == '\u2029':
			b = append(b, `\u2029`...)
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// Export writes every record of one kind to w as CSV or JSON, reading the
// database in one read-only transaction. Accounts carry their computed
// health score, band, effective segment and risk flags as extra columns
// (computed for eo.AsOf, SLAs judged at eo.Now); escalations carry their
// timeline (JSON) or its length (CSV).
//
// Rows are encoded and written one at a time as the transaction reads
// them, so memory does not grow with the output; only the accounts, which
// go out in name order, are all read before the first is written. Output
// for a pipe or a terminal goes through a temporary file (see spools).
func Export(dbPath string, opt store.Options, w io.Writer, eo ExportOptions) error {
	asJSON := false
	switch strings.ToLower(eo.Format) {
	case "", "csv":
	case "json":
		asJSON = true
	default:
		return fmt.Errorf("unknown export format %q: use csv or json", eo.Format)
	}
	if _, ok := exportCols[eo.Kind]; !ok {
		return fmt.Errorf("unknown kind %q: export accounts, members, escalations, activities or ledger", eo.Kind)
	}
	if eo.Now.IsZero() {
		eo.Now = time.Now().UTC()
	}
	if eo.AsOf.IsZero() {
		eo.AsOf = metrics.DateOf(eo.Now.Local())
	}
	out := w
	var spool *os.File
	if spools(w) {
		var err error
		if spool, err = os.CreateTemp("", "steward-export-*"); err != nil {
			return fmt.Errorf("cannot make a temporary file for the export: %w", err)
		}
		defer spool.Close()
		// Unlinked at once: nothing is left behind, even after a kill.
		os.Remove(spool.Name())
		out = spool
	}
	t := newTable(eo.Kind, asJSON, out)
	err := store.View(dbPath, opt, func(tx *store.Tx) error {
		switch eo.Kind {
		case Accounts:
			return exportAccounts(tx, t, eo)
		case Members:
			return exportMembers(tx, t)
		case Escalations:
			return exportEscalations(tx, t, eo)
		case Activities:
			return exportActivities(tx, t)
		default:
			return exportLedger(tx, t)
		}
	})
	if err == nil {
		err = t.finish()
	}
	if err != nil || spool == nil {
		return err
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err = io.Copy(w, spool)
	return err
}

// spools reports whether rows for w go through a temporary file first. An
// export reads in one transaction, which holds the database's shared lock
// while rows are written; a pipe into a pager, or a terminal, can stop
// reading for as long as someone looks at the first page, and every writer
// (the dashboard's actions, an import, the weekly snapshot) would wait for
// the lock and then fail. A regular file, /dev/null or a writer in memory
// takes the rows directly.
func spools(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil {
		return true
	}
	m := st.Mode()
	return m&(os.ModeNamedPipe|os.ModeSocket) != 0 || m&os.ModeCharDevice != 0 && term.IsTerminal(int(f.Fd()))
}

func exportAccounts(tx *store.Tx, t *table, eo ExportOptions) error {
	// The scorer first: the previous week's scores are read as a map
	// and kept as a list, and the map is gone before the accounts fill
	// memory.
	sc, err := portfolio.ReadScorer(tx, eo.AsOf, eo.Now)
	if err != nil {
		return err
	}
	// Name order, for people; external ID and ID break ties, so the order
	// does not depend on the IDs an import happened to assign and an
	// export imported into an empty database exports identically.
	//
	// One sequential walk over the accounts encodes each row, in ID order,
	// into a spool (memory, or a temporary file for a large export) and
	// keeps its sort key (names and external IDs packed in blocks); the
	// rows are then written out in name order. Memory holds the keys, not
	// the accounts (a million: 75 MB, not 350 MB). Read one by one by ID in
	// name order instead, the accounts mapped most of the file: 1.8 GB
	// resident for a million accounts' 2 GB file (README, "Performance",
	// Resident memory).
	n := tx.MaxAccounts()
	keys := make([]exportKey, 0, n)
	var block []byte
	keep := func(s string) string {
		if s == "" {
			return ""
		}
		if cap(block)-len(block) < len(s) {
			block = make([]byte, 0, max(1<<20, len(s)))
		}
		start := len(block)
		block = append(block, s...)
		return unsafe.String(&block[start], len(s))
	}
	sp, err := newRowSpool(n, t.json)
	if err != nil {
		return err
	}
	defer sp.close()
	// The keys take memory the map's pages would: the export holds 96 MB
	// of the map, half the usual (the target is 300 MB resident at a
	// million accounts; README, "Performance").
	tx.LimitMapped(96 << 20)
	var row, objs []byte
	var a portfolio.Account
	vals := make([]jv, 0, len(t.cols))
	// The plans are read beside the accounts, both in ID order; only a
	// JSON export writes them.
	var plans *store.PlanReader
	if t.json {
		plans = tx.PlanReader()
	}
	err = tx.ForEachAccountView(func(v *store.Account) error {
		// Scored one at a time, as the portfolio scores it.
		a = portfolio.Account{Account: *v}
		sc.Score(&a)
		vals = accountRow(vals[:0], &a, sc)
		if plans != nil {
			p, _, err := plans.Of(a.ID)
			if err != nil {
				return err
			}
			objs = appendObjectives(objs[:0], p.Objectives)
			vals = append(vals, jv{t: 'r', s: unsafe.String(unsafe.SliceData(objs), len(objs))})
		} else {
			vals = append(vals, jv{t: 'z'})
		}
		row = t.encode(row[:0], vals)
		keys = append(keys, exportKey{keep(a.Name), keep(a.ExternalID), a.ID, sp.size, uint32(len(row))})
		return sp.add(row)
	})
	if err != nil {
		return err
	}
	if err := sp.done(); err != nil {
		return err
	}
	// Sorted as small entries that mostly compare by their prefixes.
	order := make([]exportPlace, len(keys))
	for i := range keys {
		hi, lo := lowerPrefix(keys[i].name)
		order[i] = exportPlace{hi, lo, int32(i)}
	}
	slices.SortFunc(order, func(a, b exportPlace) int {
		if (a.hi != b.hi || a.lo != b.lo) && a.lo&prefixExact != 0 && b.lo&prefixExact != 0 {
			// Decided by the first bytes, lowered.
			if a.hi != b.hi {
				return cmp.Compare(a.hi, b.hi)
			}
			return cmp.Compare(a.lo, b.lo)
		}
		return compareExportKeys(&keys[a.i], &keys[b.i])
	})
	for _, o := range order {
		k := &keys[o.i]
		if row, err = sp.read(row, k.off, int(k.len)); err != nil {
			return err
		}
		if err := t.addEncoded(row); err != nil {
			return err
		}
	}
	return nil
}

// exportKey is what places an account in the export's order, and where
// its encoded row is in the spool.
type exportKey struct {
	name, ext string
	id        uint64
	off       int64
	len       uint32
}

// exportPlace is an entry of the sort: the lowered prefix of the name
// (lowerPrefix) and the account's index in keys.
type exportPlace struct {
	hi, lo uint64
	i      int32
}

func compareExportKeys(a, b *exportKey) int {
	if c := compareLower(a.name, b.name); c != 0 {
		return c
	}
	if c := strings.Compare(a.name, b.name); c != 0 {
		return c
	}
	if c := strings.Compare(a.ext, b.ext); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// prefixExact marks a lowerPrefix that orders its name exactly as
// compareLower does against any other exact one.
const prefixExact = 1

// lowerPrefix packs the first 15 bytes of s, ASCII letters lowered,
// big-endian, above a flag byte: two names whose prefixes are both exact
// and differ compare as their prefixes do, with no look at the strings
// (most comparisons of a sort). A prefix is exact when its bytes are
// ASCII other than NUL; a shorter name is padded with zeros, so it sorts
// before the longer names it starts, as compareLower has it.
func lowerPrefix(s string) (hi, lo uint64) {
	var p [16]byte
	for i := range 15 {
		if i < len(s) {
			c := s[i]
			if c == 0 || c >= utf8.RuneSelf {
				return 0, 0 // not exact: the comparison reads the names
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			p[i] = c
		}
	}
	p[15] = prefixExact
	return binary.BigEndian.Uint64(p[:8]), binary.BigEndian.Uint64(p[8:])
}

// spoolInMemory is the most an export keeps of encoded rows in memory;
// a larger one (estimated at about 360 bytes a CSV row and 1,000 a JSON
// one) spools them to a temporary file, read back row by row (pread, so
// the rows never count as the process's memory). A test lowers it.
var spoolInMemory int64 = 48 << 20

// rowSpool holds encoded rows in the order they were made.
type rowSpool struct {
	mem  []byte
	f    *os.File
	w    *bufio.Writer
	size int64
}

func newRowSpool(rows int, asJSON bool) (*rowSpool, error) {
	est := int64(rows) * 360
	if asJSON {
		est = int64(rows) * 1000
	}
	if est <= spoolInMemory {
		return &rowSpool{mem: make([]byte, 0, est)}, nil
	}
	f, err := os.CreateTemp("", "steward-export-rows-*")
	if err != nil {
		return nil, fmt.Errorf("cannot make a temporary file for the export's rows (%s): %w; set TMPDIR to a directory with room", os.TempDir(), err)
	}
	os.Remove(f.Name()) // unlinked at once: nothing is left behind, even after a kill
	return &rowSpool{f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (s *rowSpool) add(row []byte) error {
	s.size += int64(len(row))
	if s.f == nil {
		s.mem = append(s.mem, row...)
		return nil
	}
	_, err := s.w.Write(row)
	return err
}

// done ends the adding.
func (s *rowSpool) done() error {
	if s.f == nil {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("writing the export's rows to a temporary file (%s): %w; set TMPDIR to a directory with room", os.TempDir(), err)
	}
	return nil
}

// read returns the n bytes at off, in buf's room.
func (s *rowSpool) read(buf []byte, off int64, n int) ([]byte, error) {
	if s.f == nil {
		return s.mem[off : off+int64(n)], nil
	}
	buf = slices.Grow(buf[:0], n)[:n]
	if _, err := s.f.ReadAt(buf, off); err != nil {
		return nil, fmt.Errorf("reading the export's rows back: %w", err)
	}
	return buf, nil
}

func (s *rowSpool) close() {
	if s.f != nil {
		s.f.Close()
	}
}

// accountRow is the export's values of a scored account.
func accountRow(vals []jv, a *portfolio.Account, sc *portfolio.Scorer) []jv {
	var ownerEmail string
	if m := sc.Member(a.OwnerID); m != nil && a.OwnerID != 0 {
		ownerEmail = m.Email
	}
	var ov metrics.Override
	if a.Override != nil {
		ov = *a.Override
	}
	score := jv{t: 'z'}
	if a.Health.HasScore {
		score = num(int64(a.Health.Score))
	}
	return append(vals,
		str(a.ExternalID), str(a.Name), str(a.OwnerName), str(ownerEmail), str(string(a.Account.Segment)),
		str(string(a.Lifecycle)), str(a.Plan), money(a.ARRCents), day(a.ContractStart), day(a.RenewalDate), num(int64(a.Seats)),
		optional(a.ActiveUsers), optional(a.Tickets30d), num(int64(a.OpenCritical)), str(a.ChampionName),
		str(a.ChampionEmail), boolean(a.ChampionChanged), day(a.LastTouch), day(a.LastQBR), optional(a.NPS),
		optional(a.CSAT), money(a.PipelineCents), str(a.PipelineStage), str(a.SuccessPlan),
		str(string(ov.Band)), str(ov.Reason), str(ov.Author), day(ov.Expires),
		score, str(string(a.Health.Band)), str(string(a.Segment)), flags(a.Flags))
}

// compareLower compares strings.ToLower(a) with strings.ToLower(b) without
// making either: rune by rune, lowered (a lowered rune can leave or enter
// ASCII: K, the Kelvin sign, lowers to k), an invalid byte as U+FFFD, which
// is what ToLower writes for it. UTF-8 orders bytes as code points, so
// this is the byte order of the lowered strings.
func compareLower(a, b string) int {
	for len(a) > 0 && len(b) > 0 {
		ca, cb := a[0], b[0]
		if ca < utf8.RuneSelf && cb < utf8.RuneSelf {
			if 'A' <= ca && ca <= 'Z' {
				ca += 'a' - 'A'
			}
			if 'A' <= cb && cb <= 'Z' {
				cb += 'a' - 'A'
			}
			if ca != cb {
				return int(ca) - int(cb)
			}
			a, b = a[1:], b[1:]
			continue
		}
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra, rb = unicode.ToLower(ra), unicode.ToLower(rb); ra != rb {
			return int(ra) - int(rb)
		}
		a, b = a[na:], b[nb:]
	}
	return len(a) - len(b)
}

func exportMembers(tx *store.Tx, t *table) error {
	ms, err := tx.Members()
	if err != nil {
		return err
	}
	keys, err := tx.MemberKeys(0)
	if err != nil {
		return err
	}
	lines := map[uint64][]string{} // a member's keys, one a line, in the order they were added
	for _, k := range keys {
		lines[k.MemberID] = append(lines[k.MemberID], k.Key)
	}
	for _, m := range ms {
		if err := t.add([]jv{str(m.Name), str(m.Email), str(string(m.Role)), num(int64(m.Capacity)), day(m.LastOneOnOne), boolean(m.Active),
			str(strings.Join(lines[m.ID], "\n"))}); err != nil {
			return err
		}
	}
	return nil
}

// accountNames maps account IDs to their external ID and name.
func accountNames(tx *store.Tx) (map[uint64][2]string, error) {
	accts, err := tx.Accounts()
	if err != nil {
		return nil, err
	}
	out := make(map[uint64][2]string, len(accts))
	for _, a := range accts {
		out[a.ID] = [2]string{a.ExternalID, a.Name}
	}
	return out, nil
}

func exportEscalations(tx *store.Tx, t *table, eo ExportOptions) error {
	names, err := accountNames(tx)
	if err != nil {
		return err
	}
	ms, err := tx.Members()
	if err != nil {
		return err
	}
	member := map[uint64]string{}
	for _, m := range ms {
		member[m.ID] = m.Name
	}
	escs, err := tx.Escalations()
	if err != nil {
		return err
	}
	var b []byte
	for _, e := range escs {
		events, err := tx.Timeline(e.ID)
		if err != nil {
			return err
		}
		timeline := num(int64(len(events)))
		if t.json {
			b = append(b[:0], '[')
			for i, ev := range events {
				if i > 0 {
					b = append(b, ", "...)
				}
				b = append(b, `{"at": `...)
				b = appendJSONString(b, formatInstant(ev.At))
				b = append(b, `, "author": `...)
				b = appendJSONString(b, ev.Author)
				b = append(b, `, "kind": `...)
				b = appendJSONString(b, ev.Kind)
				b = append(b, `, "text": `...)
				b = appendJSONString(b, ev.Text)
				b = append(b, '}')
			}
			b = append(b, ']')
			timeline = jv{t: 'r', s: string(b)}
		}
		acct := names[e.AccountID]
		err = t.add([]jv{num(int64(e.ID)), str(acct[0]), str(acct[1]), str(e.Title), str(e.Description), str(e.Severity),
			str(e.Status), str(member[e.OwnerID]), str(member[e.RaisedBy]), str(e.Decision), instant(e.CreatedAt),
			instant(e.UpdatedAt), instant(e.ResolvedAt), instant(e.SLADue), boolean(e.Breached(eo.Now)), timeline})
		if err != nil {
			return err
		}
	}
	return nil
}

func exportActivities(tx *store.Tx, t *table) error {
	names, err := accountNames(tx)
	if err != nil {
		return err
	}
	return tx.ForEachActivity(func(a *store.Activity) error {
		acct := names[a.AccountID]
		return t.add([]jv{str(acct[0]), str(acct[1]), instant(a.At), str(a.Author), str(a.Kind), str(a.Text)})
	})
}

func exportLedger(tx *store.Tx, t *table) error {
	names, err := accountNames(tx)
	if err != nil {
		return err
	}
	return tx.ForEachLedger(func(l *store.LedgerEntry) error {
		acct := names[l.AccountID]
		return t.add([]jv{str(acct[0]), str(acct[1]), day(l.Date), money(l.ARRCents), str(string(l.Kind)), str(l.Author), str(l.Note)})
	})
}
