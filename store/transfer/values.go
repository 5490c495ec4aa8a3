package transfer

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// normalize folds a header or enumerated value for matching: lower case,
// letters and digits only ("Tickets (30d)" is "tickets30d").
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// ---- amounts ----

var errAmount = errors.New("is not an amount: use e.g. 12500, 12,500.00, $12,500 or 12.5k")

// ParseAmount reads a money amount into integer cents, exactly (no floating
// point): "$12,500.00", "12500", "12.5k", "1.2M", "USD 900", "€1.000"? no:
// commas are thousands separators only where they group digits by three,
// and the decimal mark is a point, so "12,5" is refused rather than guessed.
// Negative amounts ("-5", "(1,000)") are refused: ARR and pipeline cannot be
// negative.
func ParseAmount(s string) (int64, error) {
	t := strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		neg, t = true, strings.TrimSpace(t[1:len(t)-1])
	}
	// Signs and currency marks may come in either order: -$5, $-5, USD -5.
	for changed := true; changed; {
		changed = false
		if len(t) > 0 && (t[0] == '-' || t[0] == '+') {
			neg = neg || t[0] == '-'
			t, changed = strings.TrimSpace(t[1:]), true
		}
		for _, p := range []string{"US$", "$", "€", "£", "¥", "USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY"} {
			if hasPrefixFold(t, p) {
				t, changed = strings.TrimSpace(t[len(p):]), true
			}
		}
	}
	for _, p := range []string{"USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "€", "$"} {
		if len(t) >= len(p) && strings.EqualFold(t[len(t)-len(p):], p) {
			t = strings.TrimSpace(t[:len(t)-len(p)])
		}
	}
	exp := 2 // cents
	switch {
	case strings.HasSuffix(t, "k") || strings.HasSuffix(t, "K"):
		exp, t = exp+3, t[:len(t)-1]
	case strings.HasSuffix(t, "mm") || strings.HasSuffix(t, "MM"):
		exp, t = exp+6, t[:len(t)-2]
	case strings.HasSuffix(t, "m") || strings.HasSuffix(t, "M"):
		exp, t = exp+6, t[:len(t)-1]
	case strings.HasSuffix(t, "bn") || strings.HasSuffix(t, "BN"):
		exp, t = exp+9, t[:len(t)-2]
	case strings.HasSuffix(t, "b") || strings.HasSuffix(t, "B"):
		exp, t = exp+9, t[:len(t)-1]
	}
	t = strings.TrimSpace(t)
	intPart, frac, hasPoint := strings.Cut(t, ".")
	if intPart == "" && (!hasPoint || frac == "") {
		return 0, errAmount
	}
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		if len(groups[0]) < 1 || len(groups[0]) > 3 {
			return 0, errAmount
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, errAmount
			}
		}
		intPart = strings.Join(groups, "")
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, errAmount
			}
		}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	if digits == "" {
		return 0, nil
	}
	if len(digits) > 18 {
		return 0, errors.New("is too large for an amount")
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, errAmount
	}
	for ; exp < 0; exp++ {
		if v%10 != 0 {
			return 0, errors.New("has more than two decimal places (amounts are kept in whole cents)")
		}
		v /= 10
	}
	const maxCents = 1_000_000_000_000_00 // a trillion: plenty, and far from overflow
	for ; exp > 0; exp-- {
		v *= 10
		if v > maxCents {
			return 0, errors.New("is too large for an amount")
		}
	}
	if v > maxCents {
		return 0, errors.New("is too large for an amount")
	}
	if neg && v != 0 {
		return 0, errors.New("cannot be negative")
	}
	return v, nil
}

func hasPrefixFold(s, p string) bool { return len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) }

// formatCents writes cents as a plain decimal amount (12500.00), the form
// ParseAmount reads back exactly.
func formatCents(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// ---- numbers ----

// parseWhole reads a whole number in [lo, hi]; "1,200" and "5.0" are fine.
func parseWhole(s string, lo, hi int, what string) (int, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, ".0")
	t = strings.TrimSuffix(t, ".00")
	if strings.Contains(t, ",") {
		groups := strings.Split(t, ",")
		ok := len(groups[0]) >= 1 && len(groups[0]) <= 3
		for _, g := range groups[1:] {
			ok = ok && len(g) == 3
		}
		if ok {
			t = strings.Join(groups, "")
		}
	}
	v, err := strconv.Atoi(t)
	if err != nil {
		if _, ferr := strconv.ParseFloat(t, 64); ferr == nil {
			return 0, fmt.Errorf("%s must be a whole number from %d to %d", what, lo, hi)
		}
		return 0, fmt.Errorf("is not a number: %s must be a whole number from %d to %d", what, lo, hi)
	}
	if v < lo || v > hi {
		if v < 0 && lo == 0 {
			return 0, fmt.Errorf("%s cannot be negative", what)
		}
		return 0, fmt.Errorf("%s must be from %d to %d", what, lo, hi)
	}
	return v, nil
}

// parseBool reads the usual spellings of a checkbox, in any case:
// TRUE/FALSE, yes/no, 1/0, Y/N, and the T/F, x, checked/unchecked and
// on/off some spreadsheets write. Anything else is an error, never a guess.
func parseBool(s string) (bool, error) {
	switch normalize(s) {
	case "true", "yes", "y", "1", "x", "t", "checked", "on":
		return true, nil
	case "false", "no", "n", "0", "f", "", "unchecked", "off":
		return false, nil
	}
	return false, errors.New("is not yes/no: use TRUE/FALSE, yes/no, 1/0 or Y/N")
}

// ---- enumerations ----

func parseSegment(s string) (metrics.Segment, error) {
	switch normalize(s) {
	case "enterprise", "ent", "enterprisesegment", "strategic", "large", "largeenterprise":
		return metrics.Enterprise, nil
	case "midmarket", "mid", "mm", "midsize", "midsized", "commercial", "mme":
		return metrics.MidMarket, nil
	case "smb", "smallbusiness", "small", "smallandmediumbusiness", "smallmediumbusiness", "sme":
		return metrics.SMB, nil
	}
	return "", errors.New("is not a segment: use Enterprise, Mid-Market or SMB (or leave it empty to derive it from ARR)")
}

// parseRole reads a member's role. Decision (SPEC is silent): manager also
// covers team leads and heads of CS; "Senior AM" / "Senior CSM" are
// senior_am; AM, CSM, CRM and the spelled-out Account / Customer Success /
// Client Relations Manager are account_manager; coordinator covers CS
// coordinators and associates.
func parseRole(s string) (store.Role, error) {
	switch normalize(s) {
	case "manager", "teamlead", "lead", "teammanager", "headofcs", "headofcustomersuccess", "csmanager", "csmmanager",
		"customersuccessmanagermanager", "director", "managerofcustomersuccess", "teamleader":
		return store.RoleManager, nil
	case "senioram", "senioraccountmanager", "seniorcsm", "seniorcustomersuccessmanager", "seniorcrm",
		"seniorclientrelationsmanager", "srcsm", "sram", "senior":
		return store.RoleSeniorAM, nil
	case "accountmanager", "am", "csm", "crm", "customersuccessmanager", "clientrelationsmanager",
		"clientrelationshipmanager", "accountexecutive", "ae":
		return store.RoleAccountManager, nil
	case "coordinator", "cscoordinator", "customersuccesscoordinator", "associate", "csassociate",
		"customersuccessassociate", "csc", "assistant":
		return store.RoleCoordinator, nil
	}
	return "", errors.New("is not a role: use manager, senior_am, account_manager or coordinator (Team Lead, Senior AM, CSM, Coordinator are fine)")
}

// lifecycleOf reads a lifecycle as CRMs spell it, in a Lifecycle, a
// Lifecycle Stage (HubSpot) or an account Status column. sales is set for
// the stages of a sales pipeline, which are not customers at all.
func lifecycleOf(s string) (lc store.Lifecycle, sales bool) {
	switch normalize(s) {
	case "onboarding", "implementation", "new", "trial", "intrial", "ontrial", "freetrial", "trialing", "pilot":
		return store.Onboarding, false
	case "active", "live", "customer", "activecustomer", "adopting", "evangelist":
		return store.Active, false
	case "churned", "churn", "lost", "cancelled", "canceled", "former", "formercustomer":
		return store.Churned, false
	case "subscriber", "lead", "marketingqualifiedlead", "mql", "salesqualifiedlead", "sql", "opportunity", "prospect", "other":
		return "", true
	}
	return "", false
}

var errSalesStage = errors.New("is a sales stage, not a customer lifecycle: steward holds customers (import the rows at Customer or later, or remove the column)")

func parseLifecycle(s string) (store.Lifecycle, error) {
	lc, sales := lifecycleOf(s)
	switch {
	case sales:
		return "", errSalesStage
	case lc == "":
		return "", errors.New("is not a lifecycle: use onboarding, active or churned (trial, customer, cancelled are fine)")
	}
	return lc, nil
}

// parseAccountStatus reads an account's Status column. Decision (README):
// a value that is no lifecycle is a row error listing what is accepted,
// never ignored, since a status column that is something else would
// otherwise set or hide churns silently.
func parseAccountStatus(s string) (store.Lifecycle, error) {
	lc, sales := lifecycleOf(s)
	switch {
	case sales:
		return "", errSalesStage
	case lc == "":
		return "", errors.New("is not an account status: use churned (cancelled, lost), onboarding (trial, implementation) or active (customer); " +
			"if the column is not the account's lifecycle, rename or remove it")
	}
	return lc, nil
}

func parseSeverity(s string) (string, error) {
	switch normalize(s) {
	case "critical", "crit", "p1", "p0", "sev1", "severity1", "urgent", "blocker", "s1", "1":
		return store.SevCritical, nil
	case "high", "p2", "sev2", "severity2", "major", "s2", "2":
		return store.SevHigh, nil
	case "medium", "med", "normal", "p3", "sev3", "severity3", "moderate", "s3", "3":
		return store.SevMedium, nil
	case "low", "p4", "sev4", "severity4", "minor", "s4", "4":
		return store.SevLow, nil
	}
	return "", errors.New("is not a severity: use critical, high, medium or low (P1-P4 are fine)")
}

func parseStatus(s string) (string, error) {
	switch normalize(s) {
	case "open", "new", "raised", "todo":
		return store.StatusOpen, nil
	case "inprogress", "working", "investigating", "active", "ongoing":
		return store.StatusInProgress, nil
	case "waitingclient", "waitingonclient", "waitingforclient", "waitingcustomer", "waitingoncustomer",
		"waitingforcustomer", "pendingclient", "pendingcustomer", "onhold", "waiting", "pending":
		return store.StatusWaitingClient, nil
	case "withdirector", "director", "escalatedtodirector", "escalated":
		return store.StatusWithDirector, nil
	case "resolved", "closed", "done", "fixed", "solved", "complete", "completed":
		return store.StatusResolved, nil
	}
	return "", errors.New("is not a status: use open, in_progress, waiting_client, with_director or resolved")
}

func parseDecision(s string) (string, error) {
	switch normalize(s) {
	case "":
		return "", nil
	case "coach", "coachtheam", "coacham", "coaching":
		return store.DecisionCoach, nil
	case "manager", "managertakesit", "managertakes":
		return store.DecisionManager, nil
	case "director", "sendtodirector", "senttodirector":
		return store.DecisionDirector, nil
	}
	return "", errors.New("is not a decision: use coach, manager, director or leave it empty")
}

func parseActivityKind(s string) (string, error) {
	switch normalize(s) {
	case "call", "phonecall", "phone", "logacall", "calllog", "videocall":
		return store.ActCall, nil
	case "email", "mail", "emailsent", "emailreceived":
		return store.ActEmail, nil
	case "meeting", "meet", "event", "visit", "onsite":
		return store.ActMeeting, nil
	case "qbr", "quarterlybusinessreview", "ebr", "businessreview":
		return store.ActQBR, nil
	case "note", "notes", "comment", "other":
		return store.ActNote, nil
	case "override", "edit", "forecast", store.ActPlan, "task", "playbook":
		// Logged by steward itself (health overrides, account edits,
		// renewal forecasts, success-plan changes, tasks, playbooks
		// started); they come back in an export of activities. A CRM's
		// "Task" activity is kept as a task entry too: like a note, it
		// does not move the last touch.
		return normalize(s), nil
	}
	return "", errors.New("is not an activity kind: use call, email, meeting, qbr or note")
}

func parseBand(s string) (metrics.Band, error) {
	switch normalize(s) {
	case "green", "g", "healthy", "good":
		return metrics.Green, nil
	case "yellow", "y", "amber", "atrisk", "warning":
		return metrics.Yellow, nil
	case "red", "r", "critical", "bad":
		return metrics.Red, nil
	}
	return "", errors.New("is not a band: use green, yellow or red (empty removes the override)")
}

// ---- dates ----

// dates parses civil dates and instants: ISO 8601 and RFC 3339 always, and
// the layout given with --date-format when there is one.
type dates struct {
	spec   string
	toks   []dtok // custom layout (m/d/yyyy style), or nil
	goLay  string // Go layout (01/02/2006 style), or ""
	hasLay bool
}

type dtok struct {
	kind byte // 'y', 'm', 'd', or 0 for a literal
	lit  string
}

// newDates compiles a --date-format value: yyyy, m or mm, d or dd, and any
// separators (m/d/yyyy, d/m/yyyy, dd.mm.yyyy, yyyy/mm/dd); a value holding
// 2006 is taken as a Go layout (01/02/2006).
func newDates(spec string) (*dates, error) {
	d := &dates{spec: spec}
	if spec == "" {
		return d, nil
	}
	d.hasLay = true
	if strings.Contains(spec, "2006") {
		ref := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		if got, err := time.Parse(spec, ref.Format(spec)); err != nil || !got.Equal(ref) {
			return nil, fmt.Errorf("--date-format %q: a Go layout must hold year, month and day (e.g. 01/02/2006)", spec)
		}
		d.goLay = spec
		return d, nil
	}
	seen := map[byte]bool{}
	low := strings.ToLower(spec)
	for i := 0; i < len(low); {
		c := low[i]
		if c == 'y' || c == 'm' || c == 'd' {
			j := i
			for j < len(low) && low[j] == c {
				j++
			}
			n := j - i
			switch {
			case seen[c]:
				return nil, fmt.Errorf("--date-format %q: %c appears twice", spec, c)
			case c == 'y' && n != 4:
				return nil, fmt.Errorf("--date-format %q: write the year as yyyy (two-digit years are ambiguous)", spec)
			case c != 'y' && n > 2:
				return nil, fmt.Errorf("--date-format %q: month names are not supported; use m or mm, d or dd", spec)
			}
			seen[c] = true
			d.toks = append(d.toks, dtok{kind: c})
			i = j
			continue
		}
		if unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || c >= 0x80 {
			return nil, fmt.Errorf("--date-format %q: use yyyy, m/mm, d/dd and separators such as / - . (e.g. m/d/yyyy)", spec)
		}
		if n := len(d.toks); n > 0 && d.toks[n-1].kind == 0 {
			d.toks[n-1].lit += string(c)
		} else {
			d.toks = append(d.toks, dtok{lit: string(c)})
		}
		i++
	}
	if !seen['y'] || !seen['m'] || !seen['d'] {
		return nil, fmt.Errorf("--date-format %q: needs a year (yyyy), a month (m) and a day (d)", spec)
	}
	for i := 1; i < len(d.toks); i++ {
		if d.toks[i].kind != 0 && d.toks[i-1].kind != 0 {
			return nil, fmt.Errorf("--date-format %q: put a separator between the parts (e.g. m/d/yyyy)", spec)
		}
	}
	return d, nil
}

func (d *dates) hint() string {
	if d.hasLay {
		return fmt.Sprintf("is not a date in the --date-format layout %s (or YYYY-MM-DD)", d.spec)
	}
	return "is not a date in the form YYYY-MM-DD: for another layout pass --date-format (e.g. --date-format m/d/yyyy)"
}

// isoPrefix reports whether s starts like YYYY-MM-DD.
func isoPrefix(s string) bool {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for i := 0; i < 10; i++ {
		if i != 4 && i != 7 && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// date reads a civil date. A date-time is fine (its date part is taken, as
// written); an impossible date is an error, never normalised.
func (d *dates) date(s string) (metrics.Date, error) {
	s = strings.TrimSpace(s)
	if isoPrefix(s) {
		v, err := metrics.ParseDate(s[:10])
		if err != nil {
			return 0, errors.New("is not a real calendar date")
		}
		rest := s[10:]
		if rest == "" {
			return v, nil
		}
		if _, err := d.instant(s); err == nil {
			return v, nil
		}
		return 0, errors.New(d.hint())
	}
	v, rest, err := d.custom(s)
	if err != nil {
		return 0, err
	}
	if rest != "" {
		if _, ok := clockOf(rest); !ok {
			return 0, errors.New(d.hint())
		}
	}
	return v, nil
}

// custom parses the --date-format layout at the start of s and returns the
// rest of s.
func (d *dates) custom(s string) (metrics.Date, string, error) {
	if !d.hasLay {
		return 0, "", errors.New(d.hint())
	}
	if d.goLay != "" {
		// Go layouts are whole-value; try date alone, then with a clock.
		if t, err := time.Parse(d.goLay, s); err == nil {
			return metrics.DateOf(t), "", nil
		} else if strings.Contains(err.Error(), "out of range") {
			return 0, "", errors.New("is not a real calendar date")
		}
		if i := strings.IndexAny(s, " T"); i > 0 {
			if t, err := time.Parse(d.goLay, s[:i]); err == nil {
				return metrics.DateOf(t), s[i:], nil
			}
		}
		return 0, "", errors.New(d.hint())
	}
	var y, m, dd int
	rest := s
	for _, t := range d.toks {
		if t.kind == 0 {
			if !strings.HasPrefix(rest, t.lit) {
				return 0, "", errors.New(d.hint())
			}
			rest = rest[len(t.lit):]
			continue
		}
		maxDigits := 2
		if t.kind == 'y' {
			maxDigits = 4
		}
		n := 0
		for n < len(rest) && n < maxDigits && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n == 0 || (t.kind == 'y' && n != 4) {
			return 0, "", errors.New(d.hint())
		}
		v, _ := strconv.Atoi(rest[:n])
		rest = rest[n:]
		switch t.kind {
		case 'y':
			y = v
		case 'm':
			m = v
		case 'd':
			dd = v
		}
	}
	if len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' {
		return 0, "", errors.New(d.hint())
	}
	v, err := metrics.ParseDate(fmt.Sprintf("%04d-%02d-%02d", y, m, dd))
	if err != nil || y < 1 {
		return 0, "", fmt.Errorf("is not a real calendar date (read as year %d, month %d, day %d with --date-format %s)", y, m, dd, d.spec)
	}
	return v, rest, nil
}

// clockOf reads a time of day after a date: " 10:30", " 10:30:15",
// "T10:30", " 9:05 PM".
func clockOf(s string) (time.Duration, bool) {
	s = strings.TrimSpace(strings.TrimPrefix(s, "T"))
	up := strings.ToUpper(s)
	pm, am := strings.HasSuffix(up, "PM"), strings.HasSuffix(up, "AM")
	if pm || am {
		s = strings.TrimSpace(s[:len(s)-2])
	}
	for _, lay := range []string{"15:04:05.999999999", "15:04:05", "15:04"} {
		if t, err := time.Parse(lay, s); err == nil {
			h := t.Hour()
			if pm || am {
				if h < 1 || h > 12 {
					return 0, false
				}
				h %= 12
				if pm {
					h += 12
				}
			}
			return time.Duration(h)*time.Hour + time.Duration(t.Minute())*time.Minute +
				time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond()), true
		}
	}
	return 0, false
}

// instant reads a point in time: RFC 3339 (any offset, stored as UTC),
// "YYYY-MM-DD HH:MM[:SS]" (UTC), a date alone (midnight UTC), or the
// --date-format layout optionally followed by a time of day (UTC).
func (d *dates) instant(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	var day metrics.Date
	var rest string
	if isoPrefix(s) {
		v, err := metrics.ParseDate(s[:10])
		if err != nil {
			return time.Time{}, errors.New("is not a real calendar date")
		}
		day, rest = v, s[10:]
	} else {
		v, r, err := d.custom(s)
		if err != nil {
			if !d.hasLay {
				return time.Time{}, errors.New("is not a date and time in the form 2026-03-01T14:30:00Z (RFC 3339) or YYYY-MM-DD: for another layout pass --date-format (e.g. --date-format m/d/yyyy)")
			}
			return time.Time{}, err
		}
		day, rest = v, r
	}
	if strings.TrimSpace(rest) == "" {
		return day.Time(), nil
	}
	c, ok := clockOf(rest)
	if !ok {
		return time.Time{}, errors.New("has a time of day that is not HH:MM or HH:MM:SS (or use RFC 3339, e.g. 2026-03-01T14:30:00Z)")
	}
	return day.Time().Add(c), nil
}

// formatInstant writes an instant as RFC 3339 in UTC with as much precision
// as it has, so it reads back equal.
func formatInstant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// ---- CSV formula escaping ----

// unescapeCell undoes portfolio.CSVSafe: one leading quote is dropped from a cell made
// of quotes followed by a formula character.
func unescapeCell(s string) string {
	if len(s) < 2 || s[0] != '\'' {
		return s
	}
	i := 0
	for i < len(s) && s[i] == '\'' {
		i++
	}
	if i < len(s) && portfolio.IsFormulaStart(s[i]) {
		return s[1:]
	}
	return s
}
