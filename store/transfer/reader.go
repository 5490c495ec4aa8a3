package transfer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Limits that keep memory bounded whatever the file holds.
const (
	maxField  = 64 << 10 // one cell
	maxRecord = 1 << 20  // one record (row or JSON object)
	sniffSize = 8 << 10  // bytes examined for binary content, the encoding and the delimiter
)

var errTooLong = errors.New("record too long")

// guard counts the bytes read and refuses to hand out more than maxRecord
// bytes past the start of the current record, so a runaway field (a 10 MB
// cell, a missing closing quote) cannot make the reader buffer the file.
type guard struct {
	r    io.Reader
	n    int64 // bytes handed out
	mark int64 // input offset where the current record starts
}

func (g *guard) Read(p []byte) (int, error) {
	if g.n-g.mark > maxRecord {
		return 0, errTooLong
	}
	if len(p) > 64<<10 {
		p = p[:64<<10]
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

// cell is one value of a record.
type cell struct {
	v   string
	set bool   // present in the record (CSV: always; JSON: the key exists)
	bad string // JSON: why the value cannot be used (an object or array)
}

// record is one data row.
type record struct {
	line  int // CSV: physical line of its start; JSON: record number
	cells []cell
}

// source yields the records of a file. next returns io.EOF at the end, a
// *RowError for a bad record it could read past, and a *fatalError when it
// cannot go on; a record it returns may be reused by the next call.
type source interface {
	columns() []string // the column names so far (JSON adds names as it meets them)
	next() (*record, error)
	offset() int64
	isJSON() bool
}

type fatalError struct{ RowError }

func (e *fatalError) Error() string { return e.RowError.Error() }

// openSource inspects the start of r (binary content, encoding, JSON or
// CSV, delimiter) and returns a source positioned after the header row.
// Its errors are file-level problems, phrased to follow "FILE: ".
func openSource(r io.Reader, file string, delim rune) (source, error) {
	g := &guard{r: r}
	br := bufio.NewReaderSize(g, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("cannot read it: %w", err)
	}
	switch {
	case len(bytes.TrimSpace(head)) == 0:
		return nil, errors.New("is empty: it needs a header row and at least one data row")
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return nil, utf16Error(file, "", "UTF-16")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, errors.New("is a ZIP archive (an .xlsx workbook?), not CSV or JSON: save the sheet as CSV and import that")
	}
	if enc, what := utf16Order(head); enc != "" {
		return nil, utf16Error(file, " ("+what+", without a byte-order mark)", enc)
	}
	if looksBinary(head) {
		return nil, errors.New("is a binary file (it contains NUL bytes), not CSV or JSON text")
	}
	if !utf8.Valid(trimPartialRune(head)) {
		return nil, errors.New("is not UTF-8 text (a binary file, or a CSV saved in a legacy encoding): save it as UTF-8 (\"CSV UTF-8\" in Excel)")
	}
	if bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
		br.Discard(3)
		head = head[3:]
	}
	ext := strings.ToLower(filepath.Ext(file))
	first := bytes.TrimLeft(head, " \t\r\n")
	if ext == ".json" || (len(first) > 0 && (first[0] == '[' || first[0] == '{')) {
		return newJSONSource(g, br)
	}
	if delim == 0 {
		delim = sniffDelimiter(head, ext)
	}
	return newCSVSource(g, br, delim)
}

// utf16Error is the message for a UTF-16 file: what to do in a
// spreadsheet, or the iconv line that converts it (enc is what iconv calls
// the encoding; plain "UTF-16" reads the byte-order mark).
func utf16Error(file, detail, enc string) error {
	return fmt.Errorf("is UTF-16 text%s, not UTF-8: save it as UTF-8 (\"CSV UTF-8\" in Excel), or convert it with: iconv -f %s -t UTF-8 %s > %s",
		detail, enc, shellQuote(file), shellQuote(file+".utf8.csv"))
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./+,:@%=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// utf16Order recognises UTF-16 text saved without a byte-order mark (some
// Windows tools do that): a CSV header is mostly ASCII, so in UTF-16 nearly
// every second byte is NUL, the odd ones for little-endian and the even ones
// for big-endian, and no two-byte unit is NUL (U+0000 is not text). It
// returns iconv's name of the encoding and a description, or "".
func utf16Order(head []byte) (enc, what string) {
	if len(head) > 512 {
		head = head[:512]
	}
	units := len(head) / 2
	if units < 2 {
		return "", ""
	}
	var le, be int
	for i := 0; i+1 < len(head); i += 2 {
		switch a, b := head[i], head[i+1]; {
		case a == 0 && b == 0:
			return "", ""
		case b == 0:
			le++
		case a == 0:
			be++
		}
	}
	switch {
	case le*4 >= units*3:
		return "UTF-16LE", "little-endian"
	case be*4 >= units*3:
		return "UTF-16BE", "big-endian"
	}
	return "", ""
}

// looksBinary reports whether the start of a file is not text: a NUL in
// the header line (no CSV header or JSON opening holds one), or NULs in
// more than a tenth of the bytes. A stray NUL further down is the row's
// problem and is reported with its line and column (see importer.row1).
func looksBinary(head []byte) bool {
	first := head
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	return bytes.IndexByte(first, 0) >= 0 || bytes.Count(head, []byte{0})*10 > len(head)
}

// trimPartialRune drops an incomplete UTF-8 sequence cut off at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if c >= 0xC0 { // a lead byte: is its sequence complete?
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// sniffDelimiter picks tab for .tsv files; otherwise a comma unless the
// header line holds no comma but tabs or semicolons (European exports).
func sniffDelimiter(head []byte, ext string) rune {
	if ext == ".tsv" || ext == ".tab" {
		return '\t'
	}
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	var commas, semis, tabs int
	quoted := false
	for _, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == ',':
			commas++
		case c == ';':
			semis++
		case c == '\t':
			tabs++
		}
	}
	switch {
	case commas > 0:
		return ','
	case tabs > 0 && tabs >= semis:
		return '\t'
	case semis > 0:
		return ';'
	}
	return ','
}

// ---- CSV ----

type csvSource struct {
	g       *guard
	cr      *csv.Reader
	header  []string
	endLine int // line where the last record read ended
	done    bool
	rec     record // what next returns, valid until the next call
}

func newCSVSource(g *guard, br *bufio.Reader, delim rune) (*csvSource, error) {
	if delim == '"' || delim == '\r' || delim == '\n' || delim == utf8.RuneError || !utf8.ValidRune(delim) {
		return nil, fmt.Errorf("cannot use %q as the delimiter", delim)
	}
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	s := &csvSource{g: g, cr: cr}
	g.mark = 0
	h, err := cr.Read()
	switch {
	case errors.Is(err, errTooLong):
		return nil, fmt.Errorf("line 1: the header row is longer than %d KiB: is this a CSV file?", maxRecord>>10)
	case err == io.EOF:
		return nil, errors.New("is empty: it needs a header row and at least one data row")
	case err != nil:
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("line %d: the header row is not valid CSV: %v", pe.StartLine, pe.Err)
		}
		return nil, fmt.Errorf("cannot read the header row: %w", err)
	}
	s.endLine, _ = cr.FieldPos(len(h) - 1)
	for i := range h {
		h[i] = strings.TrimSpace(h[i])
		if len(h[i]) > 200 || !utf8.ValidString(h[i]) || strings.IndexByte(h[i], 0) >= 0 {
			return nil, fmt.Errorf("line 1: column %d's name is not a column name (%q): is the first line a header row?", i+1, shorten(h[i], 40))
		}
	}
	s.header = h
	g.mark = cr.InputOffset()
	return s, nil
}

func (s *csvSource) columns() []string { return s.header }
func (s *csvSource) offset() int64     { return s.g.n }
func (s *csvSource) isJSON() bool      { return false }

func (s *csvSource) next() (*record, error) {
	if s.done {
		return nil, io.EOF
	}
	fields, err := s.cr.Read()
	if err != nil {
		var pe *csv.ParseError
		switch {
		case err == io.EOF:
			s.done = true
			return nil, io.EOF
		case errors.Is(err, errTooLong):
			s.done = true
			// fields holds what was parsed: the culprit is its last field when
			// that one is oversized (an unquoted field), else the next one.
			fe := &fatalError{RowError{Line: s.endLine + 1, Reason: fmt.Sprintf(
				"the record is longer than %d KiB: a field is limited to %d KiB (or a closing quote is missing); nothing after this line was read", maxRecord>>10, maxField>>10)}}
			col := len(fields)
			if col > 0 && len(fields[col-1]) > maxField {
				col--
			}
			if col < len(s.header) {
				fe.Column = s.header[col]
				fe.Reason = fmt.Sprintf("the field is too long: a field may hold at most %d KiB (or a closing quote is missing); nothing after this line was read", maxField>>10)
				if col < len(fields) {
					fe.Value = shorten(fields[col], maxShownValue)
				}
			}
			return nil, fe
		case errors.As(err, &pe):
			s.endLine = pe.Line
			s.g.mark = s.cr.InputOffset()
			reason := "not valid CSV: " + pe.Err.Error() + ` (a quote inside a value must be doubled: "")`
			if pe.Line > pe.StartLine {
				reason = fmt.Sprintf("not valid CSV: the quoted field that starts here is not closed properly (checked up to line %d): a quote is missing, or one inside the value is not doubled", pe.Line)
			}
			return nil, &RowError{Line: pe.StartLine, Reason: reason}
		default:
			s.done = true
			return nil, &fatalError{RowError{Line: s.endLine + 1, Reason: "cannot read on: " + err.Error()}}
		}
	}
	line, _ := s.cr.FieldPos(0)
	s.endLine, _ = s.cr.FieldPos(len(fields) - 1)
	s.g.mark = s.cr.InputOffset()
	// One record, reused: a row is done with before the next is read,
	// and a fresh slice of cells per row was most of the garbage a big
	// import makes.
	if cap(s.rec.cells) < len(fields) {
		s.rec.cells = make([]cell, len(fields))
	}
	s.rec = record{line: line, cells: s.rec.cells[:len(fields)]}
	for i, f := range fields {
		s.rec.cells[i] = cell{v: f, set: true}
	}
	return &s.rec, nil
}

// ---- JSON ----

type jsonSource struct {
	g        *guard
	dec      *json.Decoder
	names    []string
	index    map[string]int
	n        int
	done     bool
	first    *record // read ahead to learn the column names
	firstErr error   // or why the first record could not be read
}

func newJSONSource(g *guard, br *bufio.Reader) (*jsonSource, error) {
	s := &jsonSource{g: g, dec: json.NewDecoder(br), index: map[string]int{}}
	s.dec.UseNumber()
	tok, err := s.dec.Token()
	if err != nil {
		return nil, fmt.Errorf("is not valid JSON: %v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, errors.New("is JSON but not an array: it must be an array of objects, [{\"Account Name\": \"...\", ...}, ...]")
	}
	rec, err := s.read()
	var fe *fatalError
	switch {
	case err == io.EOF:
		return nil, errors.New("holds an empty JSON array: there are no records to import")
	case errors.As(err, &fe):
		return nil, fmt.Errorf("record %d: %s", fe.Line, fe.Reason)
	case err != nil:
		s.firstErr = err // a bad first record is reported like any other
		return s, nil
	}
	s.first = rec
	return s, nil
}

func (s *jsonSource) columns() []string { return s.names }
func (s *jsonSource) offset() int64     { return s.g.n }
func (s *jsonSource) isJSON() bool      { return true }

func (s *jsonSource) next() (*record, error) {
	if s.firstErr != nil {
		err := s.firstErr
		s.firstErr = nil
		return nil, err
	}
	if s.first != nil {
		r := s.first
		s.first = nil
		return r, nil
	}
	return s.read()
}

func (s *jsonSource) read() (*record, error) {
	if s.done {
		return nil, io.EOF
	}
	fatal := func(reason string) error {
		s.done = true
		return &fatalError{RowError{Line: s.n + 1, Record: true, Reason: reason}}
	}
	s.g.mark = s.dec.InputOffset()
	if !s.dec.More() {
		// The closing bracket, then nothing but space.
		if tok, err := s.dec.Token(); err != nil || tok != json.Delim(']') {
			return nil, fatal("the JSON array is not closed with ]")
		}
		if _, err := s.dec.Token(); err != io.EOF {
			return nil, fatal("there is more JSON after the closing ] of the array")
		}
		s.done = true
		return nil, io.EOF
	}
	var raw json.RawMessage
	if err := s.dec.Decode(&raw); err != nil {
		if errors.Is(err, errTooLong) {
			return nil, fatal(fmt.Sprintf("a record longer than %d KiB: a field is limited to %d KiB; nothing after it was read", maxRecord>>10, maxField>>10))
		}
		return nil, fatal("not valid JSON: " + err.Error())
	}
	s.n++
	rec := &record{line: s.n, cells: make([]cell, len(s.names))}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil, &RowError{Line: s.n, Record: true, Reason: "is not a JSON object: each element of the array must be {\"column\": value, ...}"}
	}
	seen := map[string]bool{}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, &RowError{Line: s.n, Record: true, Reason: "not valid JSON: " + err.Error()}
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return nil, &RowError{Line: s.n, Record: true, Reason: "not valid JSON: " + err.Error()}
		}
		if seen[key] {
			return nil, &RowError{Line: s.n, Record: true, Column: key, Reason: "the key appears twice in this object"}
		}
		seen[key] = true
		i, ok := s.index[key]
		if !ok {
			if len(s.names) >= 1000 {
				return nil, fatal("more than 1000 different keys: is this an array of records?")
			}
			i = len(s.names)
			s.index[key] = i
			s.names = append(s.names, key)
		}
		for len(rec.cells) <= i {
			rec.cells = append(rec.cells, cell{})
		}
		rec.cells[i] = jsonCell(v)
	}
	return rec, nil
}

// jsonCell turns one JSON value into a cell: text as is, numbers as written,
// booleans as true/false, null as an empty (clearing) value. An object or
// an array is kept whole for the one field that is a list (an account's
// objectives, which says what is wrong with an object); any other field
// reports it as bad.
func jsonCell(v json.RawMessage) cell {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return cell{set: true}
	}
	switch v[0] {
	case '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return cell{set: true, bad: "is not a valid JSON string"}
		}
		return cell{v: s, set: true}
	case 'n':
		return cell{set: true}
	case '{':
		return cell{v: string(v), set: true, bad: "is a JSON object: expected text, a number or true/false"}
	case '[':
		return cell{v: string(v), set: true, bad: "is a JSON array: expected text, a number or true/false"}
	}
	return cell{v: string(v), set: true}
}
