package transfer

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// Import validates the whole file first (every row, all errors collected),
// then, unless DryRun is set or a row is bad, applies it in one store.Update
// transaction. A file-level problem (unreadable, binary, empty, header-only,
// duplicate headers, unknown kind) is returned as err with one message
// naming the file; row problems go in ImportResult.Errors with err == nil,
// and then nothing was written. The write transaction runs under
// portfolio.TightGC: it holds the new accounts and bbolt's dirty nodes
// until the commit.
func Import(dbPath string, opt store.Options, file string, io ImportOptions) (ImportResult, error) {
	start := time.Now()
	im, err := newImporter(file, io)
	if err != nil {
		return ImportResult{Kind: io.Kind, DryRun: io.DryRun}, err
	}

	if im.lazyFits(dbPath) {
		return im.importSmall(dbPath, opt, start)
	}

	// Pass 1: validate against the database as it is now.
	st, err := readState(dbPath, opt, im)
	if err != nil {
		return ImportResult{Kind: io.Kind, DryRun: io.DryRun}, err
	}
	res, err := im.run(st, nil)
	res.Elapsed = time.Since(start)
	if err != nil || len(res.Errors) > 0 || io.DryRun {
		return res, err
	}

	// Pass 2: the same reading and checks inside one write transaction.
	// What pass 1 read is let go first: the transaction reads it again,
	// and both copies at once would double the peak.
	st = nil
	im.reset()
	im.writes = res.Created
	runtime.GC()
	defer portfolio.TightGC()()
	var res2 ImportResult
	err = store.Update(dbPath, opt, func(tx *store.Tx) error {
		st, err := loadState(tx, im.kind)
		if err != nil {
			return err
		}
		if im.kind == Accounts {
			st.lean(tx)
		}
		res2, err = im.run(st, tx)
		if err != nil {
			return err
		}
		if len(res2.Errors) > 0 {
			return errChanged
		}
		return nil
	})
	res2.Elapsed = time.Since(start)
	if errors.Is(err, errChanged) {
		// The file or the database changed between the passes: report what
		// the second pass found; nothing was written.
		return res2, nil
	}
	if err != nil {
		return res, fmt.Errorf("%s: nothing was imported: %w", file, err)
	}
	return res2, nil
}

var errChanged = errors.New("changed between validation and import")

// importSmall imports a small accounts file (lazyFits) in one pass inside
// one write transaction: each row finds its account through the store's
// indexes (lazyState), is checked and written; any bad row rolls the
// whole transaction back, and so does a file that changes nothing, so the
// database file is left as it was. A dry run reads only. Two passes exist
// for large files, so that the write lock is held only while writing; a
// file of a few rows holds it for milliseconds either way (README,
// "Import and export").
func (im *importer) importSmall(dbPath string, opt store.Options, start time.Time) (ImportResult, error) {
	var res ImportResult
	pass := func(tx *store.Tx) error {
		st, err := lazyState(tx)
		if err != nil {
			return err
		}
		write := tx
		if im.opt.DryRun {
			write = nil
		}
		if res, err = im.run(st, write); err != nil {
			return err
		}
		if write != nil && !res.Written() {
			return errNothingWritten
		}
		return nil
	}
	var err error
	if im.opt.DryRun {
		err = store.View(dbPath, opt, pass)
	} else {
		err = store.Update(dbPath, opt, pass)
	}
	res.Elapsed = time.Since(start)
	if errors.Is(err, errNothingWritten) {
		return res, nil
	}
	if err != nil {
		return res, fmt.Errorf("%s: nothing was imported: %w", im.file, err)
	}
	return res, nil
}

// errNothingWritten rolls back a transaction whose rows were bad or
// changed nothing.
var errNothingWritten = errors.New("nothing to write")

// importer holds what one import knows; run may be called twice (validate,
// then apply).
type importer struct {
	file   string
	opt    ImportOptions
	dates  *dates
	kind   Kind
	now    time.Time
	today  metrics.Date
	author string

	// per run
	tx      *store.Tx // nil while validating
	st      *state
	src     source
	cols    []column
	byField map[string][]int
	byNorm  map[string]int // normalized column name -> index (CSV)
	colIdx  map[string]int // column name -> first index
	ignored map[string]bool
	res     ImportResult
	seen    map[string]int // duplicate keys within the file -> line
	matched []int32        // stored account (by state index) -> line of the row that matched it
	pending []pendingAccount
	writes  int    // accounts the validating pass found to create
	fake    uint64 // IDs of members planned while validating

	// per row
	rec     *record
	rowErrs int
}

func newImporter(file string, o ImportOptions) (*importer, error) {
	d, err := newDates(o.DateFormat)
	if err != nil {
		return nil, err
	}
	if o.Kind == Ledger {
		return nil, errors.New("the ARR ledger can only be exported: import accounts (an ARR change appends a ledger entry)")
	}
	if o.Kind != "" {
		if _, ok := aliases[o.Kind]; !ok {
			return nil, fmt.Errorf("unknown kind %q: use accounts, members, escalations or activities", o.Kind)
		}
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	im := &importer{file: file, opt: o, dates: d, kind: o.Kind, now: now.UTC(), today: o.Today, author: o.Author}
	if im.today.IsZero() {
		im.today = metrics.DateOf(now)
	}
	if im.author == "" {
		im.author = "import"
	}
	return im, nil
}

// readState reads what validation needs from the database at dbPath; a
// missing or empty file is an empty database (the import will create it).
func readState(dbPath string, opt store.Options, im *importer) (*state, error) {
	fi, err := os.Stat(dbPath)
	if (err != nil && os.IsNotExist(err)) || (err == nil && fi.Mode().IsRegular() && fi.Size() == 0) {
		return emptyState(), nil
	}
	kind := im.kind
	headers, isJSON, _ := im.peek()
	if kind == "" {
		// Detect it now, so that only what the kind needs is read.
		if k, err := detectKind(headers); err == nil {
			kind = k
		}
	}
	// A churn date must not come before the account's last ARR entry;
	// the ledger is only read when the file can ask that.
	ledgerDates := false
	for _, h := range headers {
		if f, _ := resolve(Accounts, h); f == fChurnDate && (kind == Accounts || kind == "") {
			ledgerDates = true
		}
	}
	// A JSON accounts file may restate objectives in any record (the
	// first one's keys are all that was peeked): the stored ones are read
	// to tell a change from a restatement.
	plans := isJSON && (kind == Accounts || kind == "")
	var st *state
	err = store.View(dbPath, opt, func(tx *store.Tx) error {
		var err error
		if st, err = loadState(tx, kind); err == nil && ledgerDates {
			err = st.loadLedgerDates(tx)
		}
		if err == nil && plans {
			err = st.loadPlans(tx)
		}
		return err
	})
	return st, err
}

// lazyFits reports whether the import reads its accounts lazily
// (lazyState): an accounts file of at most lazyImportBytes into an
// existing database.
func (im *importer) lazyFits(dbPath string) bool {
	fi, err := os.Stat(im.file)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > lazyImportBytes {
		return false
	}
	if db, err := os.Stat(dbPath); err != nil || !db.Mode().IsRegular() || db.Size() == 0 {
		return false
	}
	kind := im.kind
	if kind == "" {
		headers, _ := im.peekColumns()
		kind, _ = detectKind(headers)
	}
	return kind == Accounts
}

// peekColumns reads the file's headers (for JSON, the keys of its first
// record) without validating.
func (im *importer) peekColumns() ([]string, error) {
	cols, _, err := im.peek()
	return cols, err
}

// peek is peekColumns, and whether the file is JSON.
func (im *importer) peek() ([]string, bool, error) {
	f, err := os.Open(im.file)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	src, err := openSource(f, im.file, im.opt.Delimiter)
	if err != nil {
		return nil, false, err
	}
	return src.columns(), src.isJSON(), nil
}

// reset drops what one run keeps.
func (im *importer) reset() {
	im.st, im.tx, im.src, im.rec = nil, nil, nil, nil
	im.seen, im.matched, im.pending = nil, nil, nil
}

// run reads the file once: it validates every row against st and, when tx
// is set, writes each good row in tx.
func (im *importer) run(st *state, tx *store.Tx) (ImportResult, error) {
	im.st, im.tx = st, tx
	if tx != nil {
		// Rows look their accounts up all over the file: little of the
		// map is kept (README, "Performance", Resident memory).
		tx.LimitMapped(32 << 20)
	}
	im.res = ImportResult{Kind: im.kind, DryRun: im.opt.DryRun}
	im.cols, im.byField, im.ignored = nil, map[string][]int{}, map[string]bool{}
	im.byNorm, im.colIdx = map[string]int{}, map[string]int{}
	im.seen, im.matched = map[string]int{}, nil
	im.pending = nil
	if tx != nil && im.kind == Accounts {
		// As many new accounts as validation counted (more if the file
		// or the database changed since): no doubling of a
		// half-kilobyte-a-row slice on the way.
		im.pending = make([]pendingAccount, 0, im.writes)
	}
	im.fake = math.MaxUint64
	f, err := os.Open(im.file)
	if err != nil {
		return im.res, fmt.Errorf("%s: cannot open it: %w", im.file, unwrapPath(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return im.res, fmt.Errorf("%s: is a folder, not a file", im.file)
	}
	im.src, err = openSource(f, im.file, im.opt.Delimiter)
	if err != nil {
		return im.res, fmt.Errorf("%s: %w", im.file, err)
	}
	if im.kind == "" {
		k, err := detectKind(im.src.columns())
		if err != nil {
			return im.res, fmt.Errorf("%s: cannot tell which records it holds: %w", im.file, err)
		}
		im.kind = k
		im.res.Kind = k
	}
	if err := im.addColumns(); err != nil {
		return im.res, fmt.Errorf("%s: %w", im.file, err)
	}
	if !im.src.isJSON() {
		if err := im.checkRequired(); err != nil {
			return im.res, fmt.Errorf("%s: %w", im.file, err)
		}
	}

	records := 0
	for {
		rec, err := im.src.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var fe *fatalError
			var re *RowError
			switch {
			case errors.As(err, &fe):
				fe.File = im.file
				im.res.Errors = append(im.res.Errors, fe.RowError)
				im.res.Rows++
				records++
			case errors.As(err, &re):
				re.File = im.file
				im.res.Errors = append(im.res.Errors, *re)
				im.res.Rows++
				records++
				continue
			default:
				return im.res, fmt.Errorf("%s: %w", im.file, err)
			}
			break
		}
		records++
		if im.src.isJSON() {
			if err := im.addColumns(); err != nil {
				return im.res, fmt.Errorf("%s: %w", im.file, err)
			}
		}
		if blank(rec) {
			continue
		}
		im.res.Rows++
		if err := im.row(rec); err != nil {
			return im.res, err
		}
		if im.opt.Progress != nil && im.res.Rows%1000 == 0 {
			im.opt.Progress(im.res.Rows, im.src.offset())
		}
	}
	if (records == 0 || im.res.Rows == 0) && len(im.res.Errors) == 0 {
		if im.src.isJSON() {
			return im.res, fmt.Errorf("%s: holds no records", im.file)
		}
		return im.res, fmt.Errorf("%s: has a header row but no data rows", im.file)
	}
	if len(im.res.Errors) == 0 {
		if err := im.flushAccounts(); err != nil {
			return im.res, err
		}
	}
	if im.opt.Progress != nil {
		im.opt.Progress(im.res.Rows, im.src.offset())
	}
	for _, c := range im.cols {
		if (c.field == "" && im.ignored[c.name]) || im.shadowed(c.field) {
			im.res.Ignored = append(im.res.Ignored, c.name)
		}
	}
	if len(im.res.Errors) > 0 {
		// Nothing is written, so nothing was created.
		im.res.MembersCreated = im.res.MembersCreated[:0:0]
	}
	return im.res, nil
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func blank(r *record) bool {
	for _, c := range r.cells {
		if c.set && (strings.TrimSpace(c.v) != "" || c.bad != "") {
			return false
		}
	}
	return true
}

// addColumns resolves the columns the source has added since the last call.
// Two columns with the same name (ignoring case and punctuation), or two
// names for the same field, are a file error in CSV; in JSON two keys of
// one object meaning the same field are a row error (see cellOf).
func (im *importer) addColumns() error {
	names := im.src.columns()
	if len(names) > maxColumns {
		return fmt.Errorf("has %d columns (at most %d): is the delimiter right? (see --delimiter)", len(names), maxColumns)
	}
	for i := len(im.cols); i < len(names); i++ {
		name := names[i]
		field, silent := resolve(im.kind, name)
		if field == fObjectives && !im.src.isJSON() {
			// A list of objectives does not fit a CSV cell: JSON only.
			field, silent = "", false
		}
		if n := headerKey(name); !im.src.isJSON() && n != "" {
			if j, dup := im.byNorm[n]; dup {
				return fmt.Errorf("columns %d (%q) and %d (%q) have the same name (ignoring case and punctuation): remove or rename one", j+1, im.cols[j].name, i+1, name)
			}
			im.byNorm[n] = i
			if j := im.byField[field]; field != "" && len(j) > 0 {
				return fmt.Errorf("columns %d (%q) and %d (%q) both mean the %s: remove one", j[0]+1, im.cols[j[0]].name, i+1, name, fieldLabel[field])
			}
		}
		if _, ok := im.colIdx[name]; !ok {
			im.colIdx[name] = i
		}
		im.cols = append(im.cols, column{name: name, field: field})
		if field != "" {
			im.byField[field] = append(im.byField[field], i)
		} else if !silent {
			im.ignored[name] = true
		}
	}
	return nil
}

func (im *importer) checkRequired() error {
	for _, group := range required[im.kind] {
		ok := false
		for _, f := range group {
			ok = ok || len(im.byField[f]) > 0
		}
		if !ok {
			return fmt.Errorf("has no %s column, which a file of %s needs (its columns: %s)", describeGroup(im.kind, group), im.kind, quoteList(im.src.columns(), 12))
		}
	}
	return nil
}

// ---- per-row helpers ----

func (im *importer) fail(col, reason, value string) {
	im.rowErrs++
	// Only the start of a bad value is kept: a file of 64 KiB bad cells
	// must not hold them all in memory.
	value = shorten(value, maxShownValue)
	im.res.Errors = append(im.res.Errors, RowError{File: im.file, Line: im.rec.line, Column: col, Reason: reason, Value: value, Record: im.src.isJSON()})
}

// cellOf returns the trimmed value of field f in the current record, the
// name of its column, and whether the record has the field at all. A cell
// that cannot be used (too long, not UTF-8, a JSON object) is reported and
// returned as absent.
func (im *importer) cellOf(f string) (v, col string, present bool) {
	found := -1
	for _, i := range im.byField[f] {
		if i < len(im.rec.cells) && im.rec.cells[i].set {
			if found >= 0 {
				im.fail(im.cols[i].name, fmt.Sprintf("%q and %q both mean the %s: remove one", im.cols[found].name, im.cols[i].name, fieldLabel[f]), "")
				return "", im.cols[i].name, false
			}
			found = i
		}
	}
	if found < 0 {
		if idx := im.byField[f]; len(idx) > 0 {
			col = im.cols[idx[0]].name
		}
		return "", col, false
	}
	c := im.rec.cells[found]
	col = im.cols[found].name
	switch {
	case c.bad != "":
		im.fail(col, c.bad, "")
		return "", col, false
	case len(c.v) > maxField:
		im.fail(col, fmt.Sprintf("is %d KiB long: a field is limited to %d KiB", len(c.v)>>10, maxField>>10), shorten(c.v, maxShownValue))
		return "", col, false
	case !utf8.ValidString(c.v):
		im.fail(col, "is not valid UTF-8 text: save the file as UTF-8", strings.ToValidUTF8(shorten(c.v, maxShownValue), "\uFFFD"))
		return "", col, false
	}
	v = c.v
	if !im.src.isJSON() {
		v = unescapeCell(v)
	}
	return strings.TrimSpace(v), col, true
}

// text sets *dst from field f when the record has it (empty clears).
func (im *importer) text(dst *string, f string) {
	if v, _, ok := im.cellOf(f); ok {
		*dst = v
	}
}

func (im *importer) whole(dst *int, f string, lo, hi int) {
	v, col, ok := im.cellOf(f)
	if !ok {
		return
	}
	if v == "" {
		*dst = 0
		return
	}
	n, err := parseWhole(v, lo, hi, fieldLabel[f])
	if err != nil {
		im.fail(col, err.Error(), v)
		return
	}
	*dst = n
}

func (im *importer) optional(dst *metrics.Opt, f string, lo, hi int) {
	v, col, ok := im.cellOf(f)
	if !ok {
		return
	}
	if v == "" {
		*dst = metrics.Opt{}
		return
	}
	n, err := parseWhole(v, lo, hi, fieldLabel[f])
	if err != nil {
		im.fail(col, err.Error(), v)
		return
	}
	*dst = metrics.Some(n)
}

func (im *importer) date(dst *metrics.Date, f string) {
	v, col, ok := im.cellOf(f)
	if !ok {
		return
	}
	if v == "" {
		*dst = 0
		return
	}
	d, err := im.dates.date(v)
	if err != nil {
		im.fail(col, err.Error(), v)
		return
	}
	*dst = d
}

func (im *importer) instant(dst *time.Time, f string) {
	v, col, ok := im.cellOf(f)
	if ok {
		im.parseInstant(dst, v, col)
	}
}

// parseInstant sets *dst from v (empty clears).
func (im *importer) parseInstant(dst *time.Time, v, col string) {
	if v == "" {
		*dst = time.Time{}
		return
	}
	t, err := im.dates.instant(v)
	if err != nil {
		im.fail(col, err.Error(), v)
		return
	}
	*dst = t
}

func (im *importer) boolean(dst *bool, f string) {
	v, col, ok := im.cellOf(f)
	if !ok {
		return
	}
	b, err := parseBool(v)
	if err != nil {
		im.fail(col, err.Error(), v)
		return
	}
	*dst = b
}

// amount reads a money cell; keepOnEmpty leaves *dst alone for an empty cell.
func (im *importer) amount(dst *int64, f string, mult int64, keepOnEmpty bool) bool {
	v, col, ok := im.cellOf(f)
	if !ok {
		return false
	}
	if v == "" {
		if !keepOnEmpty {
			*dst = 0
		}
		return true
	}
	c, err := ParseAmount(v)
	if err != nil {
		im.fail(col, fieldLabel[f]+" "+err.Error(), v)
		return true
	}
	*dst = c * mult
	return true
}

// enum reads an enumerated cell with parse; an empty cell gives "" when
// emptyOK, and is otherwise left alone.
func enum[T ~string](im *importer, dst *T, f string, parse func(string) (T, error), emptyOK bool) {
	v, col, ok := im.cellOf(f)
	if !ok {
		return
	}
	if v == "" {
		if emptyOK {
			*dst = ""
		}
		return
	}
	x, err := parse(v)
	if err != nil {
		im.fail(col, err.Error(), v)
		return
	}
	*dst = x
}

// row validates (and when applying, writes) one record. Its errors are
// listed in column order.
func (im *importer) row(rec *record) error {
	first := len(im.res.Errors)
	err := im.row1(rec)
	if errs := im.res.Errors[first:]; len(errs) > 1 {
		sort.SliceStable(errs, func(i, j int) bool { return im.colIndex(errs[i].Column) < im.colIndex(errs[j].Column) })
	}
	return err
}

func (im *importer) colIndex(name string) int {
	if i, ok := im.colIdx[name]; ok {
		return i
	}
	return len(im.cols)
}

// maxColumns bounds the width of a file.
const maxColumns = 2000

func (im *importer) row1(rec *record) error {
	im.rec, im.rowErrs = rec, 0
	if !im.src.isJSON() && len(rec.cells) != len(im.cols) {
		n, h := len(rec.cells), len(im.cols)
		if n < h {
			im.fail(im.cols[n].name, fmt.Sprintf("missing: the row has %d fields but the header has %d", n, h), "")
		} else {
			im.fail("", fmt.Sprintf("the row has %d fields but the header has %d (an unquoted %q inside a value?)", n, h, im.delim()), "")
		}
		return nil
	}
	// A NUL byte is never text (a binary file, or UTF-16 pasted into UTF-8
	// text): every cell is checked, read or ignored, wherever it is in the
	// file; the row is refused with each such cell named.
	nul := false
	for i := range rec.cells {
		if c := &rec.cells[i]; c.set && i < len(im.cols) && strings.IndexByte(c.v, 0) >= 0 {
			im.fail(im.cols[i].name, "contains a NUL byte, which text never holds (binary data, or text pasted from a UTF-16 file): remove it", c.v)
			nul = true
		}
	}
	if nul {
		return nil
	}
	switch im.kind {
	case Accounts:
		return im.accountRow()
	case Members:
		return im.memberRow()
	case Escalations:
		return im.escalationRow()
	case Activities:
		return im.activityRow()
	}
	return fmt.Errorf("kind %q cannot be imported", im.kind)
}

// firstSet is the first of fields (best first) that the current record
// has a cell for; the first of them when it has none.
func (im *importer) firstSet(fields []string) string {
	for _, f := range fields {
		for _, i := range im.byField[f] {
			if i < len(im.rec.cells) && im.rec.cells[i].set {
				return f
			}
		}
	}
	return fields[0]
}

// shadowed reports whether field f is a stand-in (see startFields) that a
// better column of the file takes the place of: its column is then listed
// as ignored, like an unknown one.
func (im *importer) shadowed(f string) bool {
	for i, g := range startFields {
		if g == f {
			return false
		}
		if len(im.byField[g]) > 0 && slices.Contains(startFields[i+1:], f) {
			return true
		}
	}
	return false
}

// colName is the name of the (first) column holding field f.
func (im *importer) colName(f string) string {
	if idx := im.byField[f]; len(idx) > 0 {
		return im.cols[idx[0]].name
	}
	return ""
}

func (im *importer) delim() string {
	if cs, ok := im.src.(*csvSource); ok {
		return string(cs.cr.Comma)
	}
	return ","
}

// dup records key for the current line and reports the line it was first
// seen on, or 0.
// matchedBefore is dup for stored account idx (an index of the state's
// lookup maps): the line of an earlier row that matched it, or 0.
func (im *importer) matchedBefore(idx int) int {
	if idx >= len(im.matched) {
		// A lazy state finds accounts as rows name them.
		im.matched = append(im.matched, make([]int32, max(len(im.st.accounts), len(im.st.ids), idx+1)-len(im.matched))...)
	}
	if l := im.matched[idx]; l > 0 {
		return int(l)
	}
	im.matched[idx] = int32(im.rec.line)
	return 0
}

func (im *importer) dup(key string) int {
	if l, ok := im.seen[key]; ok {
		return l
	}
	im.seen[key] = im.rec.line
	return 0
}

func (im *importer) where(line int) string {
	if im.src.isJSON() {
		return fmt.Sprintf("record %d", line)
	}
	return fmt.Sprintf("line %d", line)
}

// ---- members as references ----

// memberRef resolves an owner-like reference from a name-or-email column and
// an optional email column. It returns present=false when the record has
// neither column (leave the stored owner alone), and id 0 for empty cells
// (unassigned).
func (im *importer) memberRef(nameField, emailField string) (id uint64, present bool) {
	nameV, nameCol, hasName := im.cellOf(nameField)
	var emailV, emailCol string
	hasEmail := false
	if emailField != "" {
		emailV, emailCol, hasEmail = im.cellOf(emailField)
	}
	if !hasName && !hasEmail {
		return 0, false
	}
	if nameV == "" && emailV == "" {
		return 0, true
	}
	var m *store.Member
	ambiguous := false
	lookup := func(v string) {
		if m != nil || v == "" {
			return
		}
		key := strings.ToLower(v)
		if x := im.st.byEmail[key]; x != nil {
			m = x
			return
		}
		if im.st.nameAmbiguous[key] {
			ambiguous = true
			return
		}
		m = im.st.byName[key]
	}
	lookup(emailV)
	lookup(nameV)
	col, val := nameCol, nameV
	if emailV != "" {
		col, val = emailCol, emailV
	}
	if m != nil {
		return m.ID, true
	}
	if ambiguous {
		im.fail(col, "several team members have this name: use their email instead", val)
		return 0, true
	}
	if looksLikeUserID(val) {
		// Salesforce's OwnerId and HubSpot's owner ID name a CRM user, not a
		// person steward knows; --create-members must not make "005..." a
		// team member.
		im.fail(col, "is a CRM user ID, not a team member's name or email: export the owner's name or email instead "+
			"(Salesforce: Owner.Name or Account Owner; HubSpot: Company owner)", val)
		return 0, true
	}
	if !im.opt.CreateMembers {
		im.fail(col, "no team member has this name or email: add them first (steward import --kind members) or pass --create-members", val)
		return 0, true
	}
	nm := &store.Member{Name: nameV, Email: emailV, Role: store.RoleAccountManager, Active: true}
	if nm.Name == "" {
		nm.Name = emailV
	}
	if nm.Email == "" && strings.Contains(nm.Name, "@") {
		nm.Email = nm.Name
	}
	if im.rowErrs > 0 {
		// The row is bad anyway; do not plan a member for it.
		return 0, true
	}
	if err := im.putMember(nm); err != nil {
		im.fail(col, err.Error(), val)
		return 0, true
	}
	im.res.MembersCreated = append(im.res.MembersCreated, nm.Name)
	return nm.ID, true
}

// looksLikeUserID reports whether an owner cell holds a CRM user ID rather
// than a person: a Salesforce user or queue ID (15 or 18 letters and digits
// starting 005 or 00G) or a bare number (HubSpot owner IDs).
func looksLikeUserID(v string) bool {
	digits, alnum := v != "", v != ""
	for i := 0; i < len(v); i++ {
		c := v[i]
		isDigit := c >= '0' && c <= '9'
		digits = digits && isDigit
		alnum = alnum && (isDigit || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
	}
	if digits {
		return len(v) >= 3
	}
	return alnum && (len(v) == 15 || len(v) == 18) && (strings.HasPrefix(v, "005") || strings.HasPrefix(v, "00G"))
}

// putMember stores m (in the transaction when applying; with a stand-in ID
// while validating) and indexes it.
func (im *importer) putMember(m *store.Member) error {
	if im.tx != nil {
		if err := im.tx.PutMember(m); err != nil {
			return err
		}
	} else {
		if m.ID == 0 {
			m.ID = im.fake
			im.fake--
		}
		if m.Capacity <= 0 {
			m.Capacity = m.Role.DefaultCapacity()
		}
	}
	im.st.addMember(m)
	return nil
}

// ---- accounts ----

func (im *importer) accountRow() error {
	st := im.st
	if tx := im.readTx(); tx != nil && im.res.Rows%releaseRows == releaseRows-1 {
		// Rows come in the file's order, so their accounts are read all
		// over the file: the map's pages go back every few thousand rows
		// (store.Tx.ReleaseMapped).
		tx.ReleaseMapped()
	}
	ext, extCol, _ := im.cellOf(fExt)
	name, nameCol, _ := im.cellOf(fName)
	if im.rowErrs > 0 {
		return nil
	}
	idx := -1
	switch {
	case ext != "":
		if l := im.dup("e\x00" + ext); l > 0 {
			im.fail(extCol, fmt.Sprintf("the same external ID is on %s: each account may appear once in a file", im.where(l)), ext)
			return nil
		}
		i, ok, err := st.accountByExt(ext)
		if err != nil {
			return err
		}
		if ok {
			idx = i
		}
	case name != "":
		if l := im.dup("n\x00" + name); l > 0 {
			im.fail(nameCol, fmt.Sprintf("the same account name is on %s and neither row has an external ID: each account may appear once in a file", im.where(l)), name)
			return nil
		}
		i, ok, err := st.accountByName(name)
		if err != nil {
			return err
		}
		if ok {
			if i < 0 {
				im.fail(nameCol, "several accounts have this name: add an external ID column (Account ID) to say which", name)
				return nil
			}
			idx = i
		}
	default:
		col := nameCol
		if col == "" {
			col = extCol
		}
		im.fail(col, "an account needs a name (or an external ID that matches a stored account)", "")
		return nil
	}
	if idx >= 0 {
		// One row by external ID and another by name can be the same
		// stored account.
		if l := im.matchedBefore(idx); l > 0 {
			col, v := extCol, ext
			if ext == "" {
				col, v = nameCol, name
			}
			im.fail(col, fmt.Sprintf("is the same stored account as %s: each account may appear once in a file", im.where(l)), v)
			return nil
		}
	}

	var a store.Account
	isNew := idx < 0
	if isNew {
		if name == "" {
			im.fail(nameCol, "no stored account has this external ID, and a new account needs a name", ext)
			if nameCol == "" {
				im.res.Errors[len(im.res.Errors)-1].Column = extCol
			}
			return nil
		}
		a = store.Account{Name: name, ExternalID: ext, Lifecycle: store.Active, CreatedAt: im.now}
	} else {
		var err error
		if a, err = st.account(idx); err != nil {
			return err
		}
		if a.Override != nil {
			o := *a.Override
			a.Override = &o
		}
	}
	old := a
	if name != "" {
		a.Name = name
	}
	if ext != "" {
		a.ExternalID = ext
	}
	if id, present := im.memberRef(fOwner, fOwnerEmail); present {
		a.OwnerID = id
	}
	arrField := fARR
	if !im.amount(&a.ARRCents, fARR, 1, !isNew) {
		arrField = fMRR
		im.amount(&a.ARRCents, fMRR, 12, !isNew)
	}
	im.date(&a.RenewalDate, fRenewal)
	im.date(&a.ContractStart, im.firstSet(startFields))
	im.whole(&a.Seats, fSeats, 0, 100_000_000)
	im.optional(&a.ActiveUsers, fActiveUsers, 0, 100_000_000)
	im.optional(&a.Tickets30d, fTickets, 0, 10_000_000)
	im.whole(&a.OpenCritical, fCritical, 0, 1_000_000)
	im.text(&a.ChampionName, fChampion)
	im.text(&a.ChampionEmail, fChampionEmail)
	im.boolean(&a.ChampionChanged, fChampionChanged)
	im.optional(&a.NPS, fNPS, 0, 10)
	im.optional(&a.CSAT, fCSAT, 1, 5)
	enum(im, &a.Segment, fSegment, parseSegment, true)
	votes := im.lifecycleVotes()
	var churnDate metrics.Date
	im.date(&churnDate, fChurnDate)
	im.date(&a.LastTouch, fLastTouch)
	im.date(&a.LastQBR, fLastQBR)
	im.amount(&a.PipelineCents, fPipeline, 1, false)
	im.text(&a.PipelineStage, fPipelineStage)
	im.text(&a.SuccessPlan, fSuccessPlan)
	im.text(&a.Plan, fPlan)
	im.override(&a)
	objs, statesObjs := im.objectives()
	if a.ChampionEmail != "" && a.ChampionEmail != old.ChampionEmail && !strings.Contains(a.ChampionEmail, "@") {
		im.fail(im.colName(fChampionEmail), "is not an email address", a.ChampionEmail)
	}
	if im.rowErrs > 0 {
		return nil
	}
	var ledger []store.LedgerEntry
	churning := im.settleLifecycle(&a, &old, isNew, votes, arrField)
	if churning {
		ledger = im.churn(&a, &old, isNew, churnDate)
	}
	if im.rowErrs > 0 {
		return nil
	}

	// Objectives stated replace the stored ones when they say something
	// else (README, "Success plans"): done milestones without a time keep
	// the stored one, or are done now.
	planChanged := false
	if statesObjs {
		var stored []store.Objective
		if !isNew {
			var err error
			if stored, err = im.storedObjectives(a.ID); err != nil {
				return err
			}
		}
		keepStamps(objs, stored)
		stampDone(objs, im.author, im.now)
		planChanged = !store.SameObjectives(objs, stored)
	}

	// A row that states any health input dates the inputs now, changed
	// or not: the CRM confirmed them (README, "Money at risk, and what
	// changed": data freshness). A new account's inputs are as new as it.
	confirms := isNew || im.statesHealthInputs()
	if !isNew {
		a.UpdatedAt, old.UpdatedAt = time.Time{}, time.Time{}
		switch {
		case !reflect.DeepEqual(a, old) || planChanged:
			im.res.Updated++
		case confirms:
			// Nothing but the inputs' date changes: counted apart, so a
			// re-import that rewrites every account says so.
			im.res.Refreshed++
		default:
			im.res.Unchanged++
			return nil
		}
	} else {
		im.res.Created++
	}
	if im.tx == nil {
		return nil
	}
	a.UpdatedAt = im.now
	if confirms {
		a.InputsAt = im.now
	}
	w := pendingAccount{acct: a, line: im.rec.line, ledger: ledger}
	if planChanged {
		w.objectives, w.replacePlan = objs, true
	}
	switch {
	case churning:
	case isNew && a.ARRCents > 0:
		d := im.today
		if !a.ContractStart.IsZero() && a.ContractStart <= im.today {
			d = a.ContractStart
		}
		w.ledger = []store.LedgerEntry{{Date: d, ARRCents: a.ARRCents, Kind: metrics.KindNew}}
	case !isNew && a.ARRCents != old.ARRCents:
		w.ledger = []store.LedgerEntry{{Date: im.today, ARRCents: a.ARRCents, Kind: arrChangeKind(old.ARRCents, a.ARRCents)}}
	}
	if !isNew {
		// An update is written at once: it replaces keys the indexes
		// already hold, in nodes of their own size (see flushAccounts
		// for why new accounts wait).
		if err := im.tx.PutAccount(&w.acct); err != nil {
			return fmt.Errorf("%s: %w", im.where(w.line), err)
		}
		if err := im.appendLedger(w.acct.ID, w.line, w.ledger); err != nil {
			return err
		}
		if err := im.replacePlan(&w); err != nil {
			return err
		}
		return im.firePlaybooks(&w.acct, false, w.line)
	}
	detach(&w.acct)
	im.pending = append(im.pending, w)
	return nil
}

// healthInputFields are the account columns that carry a health input
// (store.SameHealthInputs); the contract start is whichever of
// startFields the row uses.
var healthInputFields = []string{fSegment, fSeats, fActiveUsers, fTickets, fCritical, fLastTouch, fLastQBR,
	fNPS, fCSAT, fChampionChanged, fRenewal}

// statesHealthInputs reports whether the current row has a cell (empty
// included: an empty cell clears the value) for any health input.
func (im *importer) statesHealthInputs() bool {
	has := func(f string) bool {
		for _, i := range im.byField[f] {
			if i < len(im.rec.cells) && im.rec.cells[i].set {
				return true
			}
		}
		return false
	}
	for _, f := range healthInputFields {
		if has(f) {
			return true
		}
	}
	for _, f := range startFields {
		if has(f) && !im.shadowed(f) {
			return true
		}
	}
	return false
}

// appendLedger writes the ARR entries an account write implies.
func (im *importer) appendLedger(id uint64, line int, ledger []store.LedgerEntry) error {
	for i := range ledger {
		e := &ledger[i]
		e.AccountID, e.Author, e.Note = id, im.author, "imported from "+baseName(im.file)
		if err := im.tx.AppendLedger(e); err != nil {
			return fmt.Errorf("%s: %w", im.where(line), err)
		}
	}
	return nil
}

// detach copies an account's text into one block of its own. The values
// are cut from the record as read, and each would keep the whole record
// (a wide CRM export's line can be kilobytes) alive until the write.
func detach(a *store.Account) {
	fields := [...]*string{&a.Name, &a.ExternalID, &a.ChampionName, &a.ChampionEmail, &a.PipelineStage, &a.SuccessPlan, &a.Plan, nil, nil}
	if a.Override != nil {
		fields[7], fields[8] = &a.Override.Reason, &a.Override.Author
	}
	n := 0
	for _, f := range fields {
		if f != nil {
			n += len(*f)
		}
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		if f != nil {
			b.WriteString(*f)
		}
	}
	all := b.String()
	for _, f := range fields {
		if f != nil {
			*f, all = all[:len(*f)], all[len(*f):]
		}
	}
}

// lifeVote is what one column of a row says of the account's lifecycle.
type lifeVote struct {
	lc       store.Lifecycle
	not      bool // a flag set to false: the account is not lc
	col, val string
}

// lifecycleVotes reads every column that speaks of the lifecycle: the
// Lifecycle (or Lifecycle Stage) and Status columns, the churn flag and the
// trial/onboarding flag. An empty cell says nothing.
func (im *importer) lifecycleVotes() []lifeVote {
	var votes []lifeVote
	named := func(f string, parse func(string) (store.Lifecycle, error)) {
		v, col, ok := im.cellOf(f)
		if !ok || v == "" {
			return
		}
		lc, err := parse(v)
		if err != nil {
			im.fail(col, err.Error(), v)
			return
		}
		votes = append(votes, lifeVote{lc: lc, col: col, val: v})
	}
	flag := func(f string, lc store.Lifecycle) {
		v, col, ok := im.cellOf(f)
		if !ok || v == "" {
			return
		}
		b, err := parseBool(v)
		if err != nil {
			im.fail(col, err.Error(), v)
			return
		}
		votes = append(votes, lifeVote{lc: lc, not: !b, col: col, val: v})
	}
	named(fLifecycle, parseLifecycle)
	named(fStatus, parseAccountStatus)
	flag(fChurned, store.Churned)
	flag(fTrial, store.Onboarding)
	return votes
}

// settleLifecycle sets a's lifecycle from the row's votes and its ARR, and
// reports whether the account ends up churned. Columns that disagree are a
// row error naming both. A flag set to false only moves an account out of
// that lifecycle (to active). As when ARR is edited to 0 in steward
// (store.EditAccount), ARR going from a positive amount to 0 is a churn, and
// a column saying otherwise is a row error.
func (im *importer) settleLifecycle(a, old *store.Account, isNew bool, votes []lifeVote, arrField string) bool {
	var says *lifeVote
	for i := range votes {
		v := &votes[i]
		switch {
		case v.not:
		case says == nil:
			says = v
		case v.lc != says.lc:
			im.fail(v.col, fmt.Sprintf("says %s, but column %q says %s: the columns disagree", v.lc, says.col, says.lc), v.val)
			return false
		}
	}
	lc := a.Lifecycle
	for _, v := range votes {
		switch {
		case !v.not:
		case says != nil && says.lc == v.lc:
			im.fail(v.col, fmt.Sprintf("says not %s, but column %q says %s: the columns disagree", v.lc, says.col, says.lc), v.val)
			return false
		case says == nil && lc == v.lc:
			lc = store.Active
		}
	}
	if says != nil {
		lc = says.lc
	}
	if !isNew && old.ARRCents > 0 && a.ARRCents == 0 && lc != store.Churned {
		against := ""
		if says != nil {
			against = fmt.Sprintf("column %q says %s", says.col, says.lc)
		}
		for _, v := range votes {
			if v.not && v.lc == store.Churned {
				against = fmt.Sprintf("column %q says it is not churned", v.col)
			}
		}
		if against != "" {
			val, col, _ := im.cellOf(arrField)
			im.fail(col, "ARR 0 records a churn, but "+against+": give the ARR and mark the churn, or fix one of them", val)
			return false
		}
		lc = store.Churned
	}
	a.Lifecycle = lc
	return lc == store.Churned
}

// churn applies a churn to a: its ARR becomes 0, and the ledger entries
// returned keep what it was. The store refuses a churned account that keeps
// its ARR (store.EditAccount): the ledger, which the KPIs read, would count
// it as retained. So the ARR the file states (or else the stored one) is
// history: an entry for it when it differs from the stored ARR (the last
// non-zero entry), then a churn entry of 0, both dated the churn date
// column, or the import day when the file has none. An account churned
// before keeps its ledger as it is; one that never had ARR gets no entry.
func (im *importer) churn(a, old *store.Account, isNew bool, churnDate metrics.Date) []store.LedgerEntry {
	history := a.ARRCents
	a.ARRCents = 0
	if !isNew && old.Lifecycle == store.Churned && old.ARRCents == 0 {
		return nil
	}
	var prior int64
	if !isNew {
		prior = old.ARRCents
	}
	if history == 0 && prior == 0 {
		return nil
	}
	day := im.today
	if !churnDate.IsZero() {
		val, col, _ := im.cellOf(fChurnDate)
		if churnDate > im.today {
			im.fail(col, fmt.Sprintf("is after the import day (%s): a churn is recorded once it has happened", im.today), val)
			return nil
		}
		if !isNew {
			last, err := im.lastLedgerDate(a.ID)
			if err != nil {
				im.fail(col, "cannot read the account's ARR ledger: "+err.Error(), val)
				return nil
			}
			if churnDate < last {
				im.fail(col, fmt.Sprintf("is before the account's last ARR change (%s): the ledger would show ARR after the churn; date the churn on or after it", last), val)
				return nil
			}
		}
		day = churnDate
	}
	var out []store.LedgerEntry
	if history > 0 && history != prior {
		e := store.LedgerEntry{Date: day, ARRCents: history, Kind: arrChangeKind(prior, history)}
		if isNew && !a.ContractStart.IsZero() && a.ContractStart <= day {
			e.Date = a.ContractStart
		}
		out = append(out, e)
	}
	return append(out, store.LedgerEntry{Date: day, Kind: metrics.KindChurn})
}

// releaseRows is how many account rows an import reads between handing
// the database's mapped pages back.
const releaseRows = 16384

// readTx is the transaction rows read stored accounts in: the write
// transaction when applying, a lazy state's when validating, else nil.
func (im *importer) readTx() *store.Tx {
	if im.tx != nil {
		return im.tx
	}
	if im.st != nil {
		return im.st.tx
	}
	return nil
}

// lastLedgerDate is the date of an account's latest ARR entry (0 without
// one): read in the transaction when applying, from the state (loaded when
// the file has a churn date column) when validating.
func (im *importer) lastLedgerDate(id uint64) (metrics.Date, error) {
	if tx := im.readTx(); tx != nil {
		l, err := tx.Ledger(id)
		if err != nil || len(l) == 0 {
			return 0, err
		}
		return l[len(l)-1].Date, nil
	}
	return im.st.lastLedger[id], nil
}

// pendingAccount is one new account of the apply pass, held until the
// whole file has been read so that the new accounts go to the store in one
// batch.
type pendingAccount struct {
	acct   store.Account
	ledger []store.LedgerEntry // the ARR entries the write implies, in order
	line   int
	// objectives replace the account's when replacePlan is set.
	objectives  []store.Objective
	replacePlan bool
}

// objectives reads the record's success-plan objectives: JSON only (a
// CSV column of them is listed as ignored, see addColumns). ok reports
// whether the record states them (null or [] clears them).
func (im *importer) objectives() (objs []store.Objective, ok bool) {
	if !im.src.isJSON() {
		return nil, false
	}
	found := -1
	for _, i := range im.byField[fObjectives] {
		if i < len(im.rec.cells) && im.rec.cells[i].set {
			if found >= 0 {
				im.fail(im.cols[i].name, fmt.Sprintf("%q and %q both mean the objectives: remove one", im.cols[found].name, im.cols[i].name), "")
				return nil, false
			}
			found = i
		}
	}
	if found < 0 {
		return nil, false
	}
	objs, err := parseObjectives(im.rec.cells[found].v, im.dates)
	if err != nil {
		im.fail(im.cols[found].name, err.Error(), "")
		return nil, false
	}
	return objs, true
}

// storedObjectives is account id's objectives as stored: read in the
// transaction when there is one, else from the state (loaded for a JSON
// accounts file, see readState).
func (im *importer) storedObjectives(id uint64) ([]store.Objective, error) {
	if tx := im.readTx(); tx != nil {
		p, err := tx.PlanOf(id)
		return p.Objectives, err
	}
	return im.st.plans[id], nil
}

// replacePlan writes the objectives of a written account, when it has
// new ones.
func (im *importer) replacePlan(w *pendingAccount) error {
	if !w.replacePlan {
		return nil
	}
	if err := im.tx.ReplacePlan(w.acct.ID, w.objectives, im.author, "import of "+baseName(im.file), im.now); err != nil {
		return fmt.Errorf("%s: %w", im.where(w.line), err)
	}
	return nil
}

// accountBatcher is the store API that writes many accounts with the index
// updates sorted by key. bbolt keeps a bucket's new keys in one sorted
// array until commit, so PutAccount in a loop shifts that array on every
// insert into the middle of an index (owners interleave, CRM IDs come in
// any order): quadratic. A store that offers PutAccounts avoids it.
type accountBatcher interface {
	PutAccounts(accts []*store.Account) error
}

// flushAccounts writes the new accounts, held until the end of the file,
// then their ledger entries (updates were written as they were read). The
// new accounts go in external-ID order (so the external-ID index only ever
// appends) and get their IDs in that order, in one PutAccounts, which
// sorts the owner index entries of all of them: written in several
// batches, each batch's keys would land between the previous ones' in the
// one node bbolt keeps a new bucket's keys in until commit, shifting the
// node at every insert. Ledger entries go in account order (their keys
// start with the account).
func (im *importer) flushAccounts() error {
	if im.tx == nil || len(im.pending) == 0 {
		return nil
	}
	order := make([]int, len(im.pending))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(x, y int) bool {
		a, b := &im.pending[order[x]].acct, &im.pending[order[y]].acct
		if (a.ID == 0) != (b.ID == 0) {
			return a.ID != 0
		}
		return a.ID == 0 && a.ExternalID < b.ExternalID
	})
	if b, ok := any(im.tx).(accountBatcher); ok {
		ptrs := make([]*store.Account, len(order))
		for i, j := range order {
			ptrs[i] = &im.pending[j].acct
		}
		if err := b.PutAccounts(ptrs); err != nil {
			return fmt.Errorf("%s: %w", im.file, err)
		}
	} else {
		for _, j := range order {
			if err := im.tx.PutAccount(&im.pending[j].acct); err != nil {
				return fmt.Errorf("%s: %w", im.where(im.pending[j].line), err)
			}
		}
	}
	// A new account's playbooks fire now that it has its ID (README,
	// "Playbooks": new_account among them).
	for _, j := range order {
		if err := im.firePlaybooks(&im.pending[j].acct, true, im.pending[j].line); err != nil {
			return err
		}
	}
	// Only the ledger entries are left to write: keep those and let the
	// accounts go, before bbolt's commit allocates its pages.
	type ledgerWork struct {
		id     uint64
		line   int
		ledger []store.LedgerEntry
	}
	work := make([]ledgerWork, 0, len(im.pending))
	var plans []pendingAccount // only the ID, line and objectives of those with a plan
	for i := range im.pending {
		w := &im.pending[i]
		if len(w.ledger) > 0 {
			work = append(work, ledgerWork{w.acct.ID, w.line, w.ledger})
		}
		if w.replacePlan {
			plans = append(plans, pendingAccount{acct: store.Account{ID: w.acct.ID}, line: w.line, objectives: w.objectives, replacePlan: true})
		}
	}
	im.pending, order = nil, nil
	sort.Slice(work, func(x, y int) bool { return work[x].id < work[y].id })
	for _, w := range work {
		if err := im.appendLedger(w.id, w.line, w.ledger); err != nil {
			return err
		}
	}
	// The plans last, in account order too (their keys are the account).
	sort.Slice(plans, func(x, y int) bool { return plans[x].acct.ID < plans[y].acct.ID })
	for i := range plans {
		if err := im.replacePlan(&plans[i]); err != nil {
			return err
		}
	}
	return nil
}

// firePlaybooks evaluates the playbooks' triggers on an account the
// import wrote, in the import's transaction, so a crash never leaves a
// trigger fired without its tasks or the reverse; the import's author is
// the tasks' (README, "Playbooks"). A re-import that changes nothing
// writes no account and so evaluates nothing; one that refreshes the
// inputs finds the episodes already open.
func (im *importer) firePlaybooks(a *store.Account, isNew bool, line int) error {
	n, err := im.tx.EvaluatePlaybooks(a, store.Evaluation{Today: im.today, By: store.Actor{Name: im.author}, Now: im.now, New: isNew})
	if err != nil {
		return fmt.Errorf("%s: %w", im.where(line), err)
	}
	im.res.PlaybooksFired += n
	return nil
}

// arrChangeKind classifies an ARR change for the ledger.
func arrChangeKind(from, to int64) metrics.LedgerKind {
	switch {
	case to == 0:
		return metrics.KindChurn
	case from == 0:
		return metrics.KindNew
	case to > from:
		return metrics.KindExpansion
	default:
		return metrics.KindContraction
	}
}

func (im *importer) override(a *store.Account) {
	v, col, ok := im.cellOf(fOvBand)
	if !ok {
		return
	}
	if v == "" {
		a.Override = nil
		return
	}
	b, err := parseBand(v)
	if err != nil {
		im.fail(col, err.Error(), v)
		return
	}
	o := metrics.Override{Band: b, Author: im.author}
	if a.Override != nil {
		o = *a.Override
		o.Band = b
	}
	im.text(&o.Reason, fOvReason)
	im.text(&o.Author, fOvAuthor)
	im.date(&o.Expires, fOvExpires)
	a.Override = &o
}

func (im *importer) applyErr(err error) error {
	return fmt.Errorf("%s: %w", im.where(im.rec.line), err)
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// ---- members ----

func (im *importer) memberRow() error {
	st := im.st
	name, nameCol, _ := im.cellOf(fName)
	email, emailCol, _ := im.cellOf(fEmail)
	if im.rowErrs > 0 {
		return nil
	}
	if email != "" && (!strings.Contains(email, "@") || strings.ContainsAny(email, " ,;<>")) {
		im.fail(emailCol, "is not an email address", email)
		return nil
	}
	var m *store.Member
	switch {
	case email != "":
		if l := im.dup("e\x00" + strings.ToLower(email)); l > 0 {
			im.fail(emailCol, fmt.Sprintf("the same email is on %s: each member may appear once in a file", im.where(l)), email)
			return nil
		}
		m = st.byEmail[strings.ToLower(email)]
		if m == nil && name != "" && !st.nameAmbiguous[strings.ToLower(name)] {
			// A member stored without an email (e.g. by --create-members)
			// is the same person.
			if x := st.byName[strings.ToLower(name)]; x != nil && x.Email == "" {
				m = x
			}
		}
	case name != "":
		if l := im.dup("n\x00" + strings.ToLower(name)); l > 0 {
			im.fail(nameCol, fmt.Sprintf("the same name is on %s and neither row has an email: each member may appear once in a file", im.where(l)), name)
			return nil
		}
		if st.nameAmbiguous[strings.ToLower(name)] {
			im.fail(nameCol, "several team members have this name: add an Email column to say which", name)
			return nil
		}
		m = st.byName[strings.ToLower(name)]
	default:
		col := nameCol
		if col == "" {
			col = emailCol
		}
		im.fail(col, "a team member needs a name or an email", "")
		return nil
	}
	isNew := m == nil
	var cur store.Member
	if isNew {
		if name == "" {
			im.fail(emailCol, "no team member has this email, and a new member needs a name (add a Name column)", email)
			return nil
		}
		cur = store.Member{Name: name, Email: email, Role: store.RoleAccountManager, Active: true}
	} else {
		cur = *m
	}
	old := cur
	if name != "" {
		cur.Name = name
	}
	if email != "" {
		cur.Email = email
	}
	enum(im, &cur.Role, fRole, parseRole, false)
	if v, col, ok := im.cellOf(fCapacity); ok {
		if v == "" {
			cur.Capacity = cur.Role.DefaultCapacity()
		} else if n, err := parseWhole(v, 1, 100_000, "capacity"); err != nil {
			im.fail(col, err.Error(), v)
		} else {
			cur.Capacity = n
		}
	}
	if cur.Capacity <= 0 {
		cur.Capacity = cur.Role.DefaultCapacity()
	}
	im.date(&cur.LastOneOnOne, fOneOnOne)
	if v, col, ok := im.cellOf(fActive); ok && v != "" {
		b, err := parseBool(v)
		if err != nil {
			im.fail(col, err.Error(), v)
		} else {
			cur.Active = b
		}
	}
	keys := im.memberKeys(m, &cur)
	if im.rowErrs > 0 {
		return nil
	}
	if !isNew {
		if cur == old && len(keys) == 0 {
			im.res.Unchanged++
			return nil
		}
		im.res.Updated++
		if cur != old {
			st.removeMember(m)
		}
	} else {
		im.res.Created++
	}
	if isNew || cur != old {
		if err := im.putMember(&cur); err != nil {
			return err
		}
	}
	for _, k := range keys {
		if im.tx != nil {
			if _, err := im.tx.AddMemberKey(cur.ID, k.line, store.Actor{Name: im.author}, im.now); err != nil {
				return err
			}
		}
		st.keyOwner[k.fingerprint] = cur.ID
	}
	return nil
}

type newKey struct{ line, fingerprint string }

// memberKeys reads the row's SSH Keys cell (one public key a line) and
// returns the keys the member does not have yet. A key is only added,
// never taken away, by an import (steward members keys remove does that).
func (im *importer) memberKeys(stored *store.Member, cur *store.Member) []newKey {
	v, col, ok := im.cellOf(fSSHKeys)
	if !ok || strings.TrimSpace(v) == "" {
		return nil
	}
	var out []newKey
	for _, line := range strings.Split(v, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		key, fp, err := store.ParseMemberKey(line)
		if err != nil {
			im.fail(col, err.Error(), line)
			continue
		}
		owner, known := im.st.keyOwner[fp]
		switch {
		case known && (stored == nil || owner != stored.ID):
			im.fail(col, "key "+fp+" already belongs to "+im.st.memberName(owner)+" (or to another row of this file)", "")
		case known:
		case !cur.Active:
			im.fail(col, "only an active member gets SSH keys", "")
			return nil
		default:
			im.st.keyOwner[fp] = ^uint64(0) // taken by this row: a later row may not have it
			out = append(out, newKey{key, fp})
		}
	}
	return out
}

// ---- escalations ----

func (im *importer) accountRef() (acct *store.Account) {
	st := im.st
	ext, extCol, _ := im.cellOf(fAccountExt)
	name, nameCol, _ := im.cellOf(fAccountName)
	switch {
	case ext != "":
		if i, ok := st.accByExt[ext]; ok {
			return &st.accounts[i]
		}
		im.fail(extCol, "no account has this external ID", ext)
	case name != "":
		i, ok := st.accByName[name]
		if !ok {
			i, ok = st.accByFold[strings.ToLower(name)]
		}
		switch {
		case !ok:
			im.fail(nameCol, "no account has this name", name)
		case i < 0:
			im.fail(nameCol, "several accounts have this name: add an Account ID column to say which", name)
		default:
			return &st.accounts[i]
		}
	default:
		col := extCol
		if col == "" {
			col = nameCol
		}
		im.fail(col, "the account is missing: give its external ID or name", "")
	}
	return nil
}

func (im *importer) escalationRow() error {
	st := im.st
	acct := im.accountRef()
	idV, idCol, _ := im.cellOf(fEscID)
	title, titleCol, hasTitle := im.cellOf(fTitle)
	var created time.Time
	createdV, createdCol, hasCreated := im.cellOf(fCreatedAt)
	if hasCreated {
		im.parseInstant(&created, createdV, createdCol)
	}
	if acct == nil || im.rowErrs > 0 {
		return nil
	}

	// Find the stored escalation this row is about.
	var cur *store.Escalation
	if idV != "" {
		id, err := strconv.ParseUint(idV, 10, 64)
		if err != nil || id == 0 {
			im.fail(idCol, "is not a steward escalation ID (a whole number)", idV)
			return nil
		}
		if l := im.dup("i\x00" + idV); l > 0 {
			im.fail(idCol, fmt.Sprintf("the same escalation ID is on %s", im.where(l)), idV)
			return nil
		}
		if e, ok := st.escByID[id]; ok {
			if e.AccountID != acct.ID {
				im.fail(idCol, fmt.Sprintf("escalation %d belongs to another account, not %q", id, acct.Name), idV)
				return nil
			}
			cur = e
		}
	}
	if cur == nil && title != "" {
		key := escKey(acct.ID, title, created, hasCreated && !created.IsZero())
		if l := im.dup("k\x00" + key); l > 0 {
			im.fail(titleCol, fmt.Sprintf("the same escalation (account, title and created at) is on %s", im.where(l)), title)
			return nil
		}
		switch ids := st.escByKey[key]; len(ids) {
		case 0:
		case 1:
			cur = st.escByID[ids[0]]
		default:
			im.fail(titleCol, "several stored escalations of this account have this title: add an Escalation ID (or Created At) column to say which", title)
			return nil
		}
	}
	isNew := cur == nil
	var e store.Escalation
	if isNew {
		if title == "" {
			col := titleCol
			if !hasTitle {
				col = idCol
			}
			im.fail(col, "a new escalation needs a title", "")
			return nil
		}
		e = store.Escalation{AccountID: acct.ID, Severity: store.SevMedium, Status: store.StatusOpen, CreatedAt: im.now}
		if hasCreated && !created.IsZero() {
			e.CreatedAt = created
		}
	} else {
		e = *cur
		if hasCreated {
			if created.IsZero() {
				im.fail(createdCol, "cannot be emptied: an escalation keeps its creation time", "")
			} else {
				e.CreatedAt = created
			}
		}
	}
	old := e
	if title != "" {
		e.Title = title
	}
	im.text(&e.Description, fDescription)
	enum(im, &e.Severity, fSeverity, parseSeverity, false)
	enum(im, &e.Status, fStatus, parseStatus, false)
	enum(im, &e.Decision, fDecision, parseDecision, true)
	if id, present := im.memberRef(fOwner, ""); present {
		e.OwnerID = id
	}
	if id, present := im.memberRef(fRaisedBy, ""); present {
		e.RaisedBy = id
	}
	im.instant(&e.ResolvedAt, fResolvedAt)
	slaSet := false
	if v, col, ok := im.cellOf(fSLADue); ok {
		im.parseInstant(&e.SLADue, v, col)
		slaSet = !e.SLADue.IsZero()
	}
	if im.rowErrs > 0 {
		return nil
	}
	if isNew && !slaSet {
		e.SLADue = e.CreatedAt.Add(time.Duration(st.settings.Health.SLA.For(e.Severity)) * time.Hour)
	}
	if e.Status == store.StatusResolved && e.ResolvedAt.IsZero() {
		e.ResolvedAt = im.now
		if !old.ResolvedAt.IsZero() {
			e.ResolvedAt = old.ResolvedAt
		}
	}
	if e.Status != store.StatusResolved {
		e.ResolvedAt = time.Time{}
	}
	if !isNew {
		e.UpdatedAt, old.UpdatedAt = time.Time{}, time.Time{}
		if escEqual(e, old) {
			im.res.Unchanged++
			return nil
		}
		im.res.Updated++
	} else {
		im.res.Created++
	}
	if im.tx == nil {
		return nil
	}
	e.UpdatedAt = im.now
	if err := im.tx.PutEscalation(&e); err != nil {
		return im.applyErr(err)
	}
	text := "imported from " + baseName(im.file)
	if !isNew {
		text = "updated by import from " + baseName(im.file) + ": " + strings.Join(escChanges(old, e), ", ")
	}
	ev := &store.Event{EscalationID: e.ID, At: im.now, Author: im.author, Kind: "imported", Text: text}
	if err := im.tx.AppendEvent(ev); err != nil {
		return im.applyErr(err)
	}
	return nil
}

func escKey(acct uint64, title string, created time.Time, withCreated bool) string {
	k := strconv.FormatUint(acct, 10) + "\x00" + title
	if withCreated {
		k += "\x00" + strconv.FormatInt(created.UnixNano(), 10)
	}
	return k
}

func escEqual(a, b store.Escalation) bool {
	return a.ID == b.ID && a.AccountID == b.AccountID && a.Title == b.Title && a.Description == b.Description &&
		a.Severity == b.Severity && a.Status == b.Status && a.RaisedBy == b.RaisedBy && a.OwnerID == b.OwnerID &&
		a.Decision == b.Decision && a.CreatedAt.Equal(b.CreatedAt) && a.ResolvedAt.Equal(b.ResolvedAt) && a.SLADue.Equal(b.SLADue)
}

func escChanges(a, b store.Escalation) []string {
	var out []string
	add := func(changed bool, name string) {
		if changed {
			out = append(out, name)
		}
	}
	add(a.Title != b.Title, "title")
	add(a.Description != b.Description, "description")
	add(a.Severity != b.Severity, "severity "+a.Severity+" → "+b.Severity)
	add(a.Status != b.Status, "status "+a.Status+" → "+b.Status)
	add(a.OwnerID != b.OwnerID, "owner")
	add(a.RaisedBy != b.RaisedBy, "raised by")
	add(a.Decision != b.Decision, "decision")
	add(!a.CreatedAt.Equal(b.CreatedAt), "created at")
	add(!a.ResolvedAt.Equal(b.ResolvedAt), "resolved at")
	add(!a.SLADue.Equal(b.SLADue), "SLA due")
	return out
}

// ---- activities ----

func (im *importer) activityRow() error {
	acct := im.accountRef()
	var at time.Time
	atV, atCol, hasAt := im.cellOf(fAt)
	if hasAt && atV != "" {
		im.parseInstant(&at, atV, atCol)
	} else {
		im.fail(atCol, "an activity needs a date (and time)", "")
	}
	var kind string
	kindV, kindCol, _ := im.cellOf(fKind)
	if kindV == "" {
		im.fail(kindCol, "an activity needs a kind: call, email, meeting, qbr or note", "")
	} else if k, err := parseActivityKind(kindV); err != nil {
		im.fail(kindCol, err.Error(), kindV)
	} else {
		kind = k
	}
	var text string
	im.text(&text, fText)
	author := im.author
	im.text(&author, fAuthor)
	if author == "" {
		author = im.author
	}
	if acct == nil || im.rowErrs > 0 {
		return nil
	}
	key := activityKey(acct.ID, at, kind, text)
	if _, ok := im.st.actKeys[key]; ok {
		im.res.Unchanged++
		return nil
	}
	im.st.actKeys[key] = struct{}{}
	im.res.Created++
	if im.tx == nil {
		return nil
	}
	a := &store.Activity{AccountID: acct.ID, At: at, Author: author, Kind: kind, Text: text}
	if err := im.tx.AppendActivity(a); err != nil {
		return im.applyErr(err)
	}
	return nil
}

// activityKey identifies an activity by what it says, in 32 bytes.
func activityKey(acct uint64, at time.Time, kind, text string) [32]byte {
	h := sha256.New()
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], acct)
	binary.BigEndian.PutUint64(b[8:], uint64(at.UnixNano()))
	h.Write(b[:])
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(text))
	var k [32]byte
	h.Sum(k[:0])
	return k
}
