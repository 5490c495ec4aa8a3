package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is the one place keys are defined; the hint line and the `?` help
// are generated from it, and keys_test.go checks the help lists every
// binding. Action keys are scoped: each view matches only its own (so `o`
// reopens in the escalation views and overrides health in the account
// views), and inside a form every key belongs to the form.
type KeyMap struct {
	// Global.
	Review      key.Binding
	Team        key.Binding
	Accounts    key.Binding
	Escalations key.Binding
	Renewals    key.Binding
	Tasks       key.Binding
	Trends      key.Binding
	NextTab     key.Binding
	PrevTab     key.Binding
	Help        key.Binding
	Refresh     key.Binding
	Quit        key.Binding
	ForceQuit   key.Binding

	// Lists.
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	HalfDown key.Binding
	HalfUp   key.Binding
	PageDown key.Binding
	PageUp   key.Binding
	Open     key.Binding
	Back     key.Binding
	Filter   key.Binding
	ReadAll  key.Binding // a detail page's long texts, whole

	// View specific.
	Sort     key.Binding
	Reverse  key.Binding
	Band     key.Binding
	Status   key.Binding
	Severity key.Binding

	// While typing a filter.
	FilterApply key.Binding
	FilterClear key.Binding

	// Escalation queue and escalation detail.
	EscCreate   key.Binding
	EscAssign   key.Binding
	EscSeverity key.Binding
	EscStatus   key.Binding
	EscDecide   key.Binding
	EscNote     key.Binding
	EscResolve  key.Binding
	EscReopen   key.Binding

	// Accounts list and health detail.
	AcctLog      key.Binding
	AcctRaise    key.Binding
	AcctOverride key.Binding
	AcctClearOvr key.Binding
	AcctEdit     key.Binding
	AcctReassign key.Binding
	AcctImport   key.Binding

	// Accounts view filters beyond the band.
	Segment       key.Binding
	RenewalWindow key.Binding

	// Saved views of the accounts view.
	SaveView  key.Binding
	OpenViews key.Binding

	// The renewal forecast of the selected account.
	SetForecast key.Binding

	// The success plan, on the health detail.
	PlanObjective key.Binding
	PlanMilestone key.Binding
	PlanTick      key.Binding
	PlanStatus    key.Binding
	PlanEdit      key.Binding

	// The review's baseline week: one back, one forward.
	BaselineBack key.Binding
	BaselineNext key.Binding
	QuarterBack  key.Binding
	QuarterNext  key.Binding

	AddTask     key.Binding
	StartPlay   key.Binding
	TaskDone    key.Binding
	TaskSkip    key.Binding
	TaskOverdue key.Binding
	TaskWeek    key.Binding

	// The queue's "what needs me" filters, each a toggle.
	NeedMine     key.Binding
	NeedDecision key.Binding
	NeedDirector key.Binding
	NeedDue      key.Binding

	// Team view.
	MemberEdit       key.Binding
	MemberAdd        key.Binding
	MemberDeactivate key.Binding
	MemberBook       key.Binding
	LogOneOnOne      key.Binding

	// Anywhere outside a form.
	Settings key.Binding

	// The playbooks' screen, opened from the settings (managers save).
	Playbooks      key.Binding
	PlaybookNew    key.Binding
	PlaybookDelete key.Binding

	// Inside a form or prompt.
	FormNext   key.Binding
	FormPrev   key.Binding
	FormSubmit key.Binding
	FormCancel key.Binding
	Confirm    key.Binding
}

// DefaultKeyMap is the keymap of SPEC section 5.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Review:      b([]string{"1"}, "1", "review"),
		Team:        b([]string{"2"}, "2", "team"),
		Accounts:    b([]string{"3"}, "3", "accounts"),
		Escalations: b([]string{"4"}, "4", "escalations"),
		Renewals:    b([]string{"5"}, "5", "renewals and their forecast"),
		Tasks:       b([]string{"6"}, "6", "open tasks"),
		Trends:      b([]string{"7"}, "7", "trends: charts of NRR/GRR, ARR, bands, escalations"),
		NextTab:     b([]string{"tab"}, "tab", "next view"),
		PrevTab:     b([]string{"shift+tab"}, "shift+tab", "previous view"),
		Help:        b([]string{"?"}, "?", "help"),
		Refresh:     b([]string{"ctrl+r"}, "ctrl+r", "reload"),
		Quit:        b([]string{"q"}, "q", "quit"),
		ForceQuit:   b([]string{"ctrl+c"}, "ctrl+c", "quit (anywhere)"),

		Up:       b([]string{"k", "up"}, "k/↑", "up"),
		Down:     b([]string{"j", "down"}, "j/↓", "down"),
		Top:      b([]string{"g", "home"}, "g", "top"),
		Bottom:   b([]string{"G", "end"}, "G", "bottom"),
		HalfDown: b([]string{"ctrl+d"}, "ctrl+d", "half page down"),
		HalfUp:   b([]string{"ctrl+u"}, "ctrl+u", "half page up"),
		PageDown: b([]string{"pgdown"}, "pgdn", "page down"),
		PageUp:   b([]string{"pgup"}, "pgup", "page up"),
		Open:     b([]string{"enter"}, "enter", "open"),
		Back:     b([]string{"esc"}, "esc", "back"),
		Filter:   b([]string{"/"}, "/", "filter"),
		ReadAll:  b([]string{"v"}, "v", "read notes in full (detail pages)"),

		Sort:     b([]string{"s"}, "s", "sort column"),
		Reverse:  b([]string{"S"}, "S", "reverse sort"),
		Band:     b([]string{"b"}, "b", "band filter"),
		Status:   b([]string{"f"}, "f", "status filter"),
		Severity: b([]string{"v"}, "v", "severity filter"),

		FilterApply: b([]string{"enter"}, "enter", "keep filter"),
		FilterClear: b([]string{"esc"}, "esc", "clear filter"),

		EscCreate:   b([]string{"c"}, "c", "create escalation"),
		EscAssign:   b([]string{"a"}, "a", "assign owner"),
		EscSeverity: b([]string{"p"}, "p", "change severity"),
		EscStatus:   b([]string{"t"}, "t", "change status"),
		EscDecide:   b([]string{"d"}, "d", "triage decision"),
		EscNote:     b([]string{"n"}, "n", "add note"),
		EscResolve:  b([]string{"r"}, "r", "resolve"),
		EscReopen:   b([]string{"o"}, "o", "reopen"),

		AcctLog:      b([]string{"l"}, "l", "log activity"),
		AcctRaise:    b([]string{"x"}, "x", "raise escalation"),
		AcctOverride: b([]string{"o"}, "o", "override health"),
		AcctClearOvr: b([]string{"O"}, "O", "clear override"),
		AcctEdit:     b([]string{"e"}, "e", "edit account"),
		AcctReassign: b([]string{"w"}, "w", "reassign owner"),
		AcctImport:   b([]string{"i"}, "i", "import file"),

		Segment:       b([]string{"T"}, "T", "segment filter (accounts)"),
		RenewalWindow: b([]string{"r"}, "r", "renewal window 30/60/90/any (accounts)"),

		SaveView:  b([]string{"ctrl+s"}, "ctrl+s", "save this accounts view"),
		OpenViews: b([]string{"'"}, "'", "saved views: open or delete"),

		SetForecast: b([]string{"F"}, "F", "set the renewal forecast"),

		PlanObjective: b([]string{"a"}, "a", "plan: add an objective"),
		PlanMilestone: b([]string{"m"}, "m", "plan: add a milestone"),
		PlanTick:      b([]string{"d"}, "d", "plan: tick a milestone"),
		PlanStatus:    b([]string{"u"}, "u", "plan: objective status"),
		PlanEdit:      b([]string{"E"}, "E", "plan: edit or remove an objective or milestone"),

		BaselineBack: b([]string{"["}, "[", "baseline one week back"),
		BaselineNext: b([]string{"]"}, "]", "baseline one week forward"),
		QuarterBack:  b([]string{"["}, "[", "quarter back (forecast vs actual)"),
		QuarterNext:  b([]string{"]"}, "]", "quarter forward"),

		AddTask:     b([]string{"t"}, "t", "add a task to the account"),
		StartPlay:   b([]string{"P"}, "P", "start a playbook on the account"),
		TaskDone:    b([]string{" ", "space"}, "space", "mark the task done"),
		TaskSkip:    b([]string{"s"}, "s", "skip the task (with a reason)"),
		TaskOverdue: b([]string{"o"}, "o", "overdue tasks only"),
		TaskWeek:    b([]string{"w"}, "w", "tasks due this week"),

		NeedMine:     b([]string{"m"}, "m", "mine (owned by me)"),
		NeedDecision: b([]string{"u"}, "u", "undecided: awaiting my triage decision"),
		NeedDirector: b([]string{"W"}, "W", "with the director"),
		NeedDue:      b([]string{"!"}, "!", "SLA due within 24 h"),

		MemberEdit:       b([]string{"e"}, "e", "edit member"),
		MemberAdd:        b([]string{"c"}, "c", "add member"),
		MemberDeactivate: b([]string{"D"}, "D", "deactivate member"),
		MemberBook:       b([]string{"b"}, "b", "the member's book (accounts)"),
		LogOneOnOne:      b([]string{"1"}, "1", "log a 1:1 (on a member's page)"),

		Settings: b([]string{","}, ",", "settings"),

		Playbooks:      b([]string{"p"}, "p", "playbooks (on the settings screen)"),
		PlaybookNew:    b([]string{"n"}, "n", "new playbook"),
		PlaybookDelete: b([]string{"D"}, "D", "delete the playbook"),

		FormNext:   b([]string{"tab"}, "tab", "next field"),
		FormPrev:   b([]string{"shift+tab"}, "shift+tab", "previous field"),
		FormSubmit: b([]string{"enter"}, "enter", "save"),
		FormCancel: b([]string{"esc"}, "esc", "cancel form"),
		Confirm:    b([]string{"y"}, "y", "yes (anything else: no)"),
	}
}

// ShortHelp is the fallback hint line; the root narrows it per view.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Open, k.Back, k.Filter, k.Help, k.Quit}
}

// FullHelp is every binding, grouped the way the `?` screen shows them.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Review, k.Team, k.Accounts, k.Escalations, k.Renewals, k.Tasks, k.Trends, k.NextTab, k.PrevTab, k.Refresh, k.Help, k.Quit, k.ForceQuit},
		{k.Up, k.Down, k.Top, k.Bottom, k.HalfDown, k.HalfUp, k.PageDown, k.PageUp, k.Open, k.Back, k.ReadAll},
		{k.Filter, k.FilterApply, k.FilterClear, k.Sort, k.Reverse, k.Band, k.Segment, k.RenewalWindow, k.SaveView, k.OpenViews, k.Status, k.Severity, k.Settings, k.BaselineBack, k.BaselineNext, k.QuarterBack, k.QuarterNext},
		{k.EscCreate, k.EscAssign, k.EscSeverity, k.EscStatus, k.EscDecide, k.EscNote, k.EscResolve, k.EscReopen,
			k.NeedMine, k.NeedDecision, k.NeedDirector, k.NeedDue},
		{k.AcctLog, k.AcctRaise, k.AcctOverride, k.AcctClearOvr, k.AcctEdit, k.AcctReassign, k.AcctImport, k.SetForecast,
			k.PlanObjective, k.PlanMilestone, k.PlanTick, k.PlanStatus,
			k.MemberEdit, k.MemberAdd, k.MemberDeactivate, k.MemberBook, k.LogOneOnOne,
			k.AddTask, k.StartPlay, k.TaskDone, k.TaskSkip, k.TaskOverdue, k.TaskWeek},
		{k.FormNext, k.FormPrev, k.FormSubmit, k.FormCancel, k.Confirm},
	}
}

// hintMap adapts a list of bindings to help.KeyMap for the one-line hint.
type hintMap []key.Binding

func (h hintMap) ShortHelp() []key.Binding  { return h }
func (h hintMap) FullHelp() [][]key.Binding { return [][]key.Binding{h} }
