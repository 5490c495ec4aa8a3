package transfer

import (
	"fmt"
	"sort"
	"strings"
)

// Field keys: what a column means, independent of how a file spells it.
const (
	// accounts
	fName            = "name"
	fExt             = "external_id"
	fOwner           = "owner"
	fOwnerEmail      = "owner_email"
	fARR             = "arr"
	fMRR             = "mrr"
	fRenewal         = "renewal_date"
	fStart           = "contract_start"
	fSeats           = "seats"
	fActiveUsers     = "active_users"
	fTickets         = "tickets_30d"
	fCritical        = "open_critical_tickets"
	fChampion        = "champion"
	fChampionEmail   = "champion_email"
	fChampionChanged = "champion_changed"
	fNPS             = "nps"
	fCSAT            = "csat"
	fSegment         = "segment"
	fLifecycle       = "lifecycle"
	fLastTouch       = "last_touch"
	fLastQBR         = "last_qbr"
	fPipeline        = "expansion_pipeline"
	fPipelineStage   = "pipeline_stage"
	fPlan            = "success_plan"
	fOvBand          = "override_band"
	fOvReason        = "override_reason"
	fOvAuthor        = "override_author"
	fOvExpires       = "override_expires"

	// members
	fEmail    = "email"
	fRole     = "role"
	fCapacity = "capacity"
	fOneOnOne = "last_one_on_one"
	fActive   = "active"

	// escalations and activities
	fAccountExt  = "account_id"
	fAccountName = "account"
	fEscID       = "escalation_id"
	fTitle       = "title"
	fDescription = "description"
	fSeverity    = "severity"
	fStatus      = "status"
	fRaisedBy    = "raised_by"
	fDecision    = "decision"
	fCreatedAt   = "created_at"
	fResolvedAt  = "resolved_at"
	fSLADue      = "sla_due"
	fAt          = "at"
	fAuthor      = "author"
	fKind        = "kind"
	fText        = "text"
)

// aliases maps, per kind, each known column name (normalized: lower case,
// letters and digits only) to its field key. The first alias of each field
// is steward's own name.
var aliases = map[Kind]map[string]string{
	Accounts: build(map[string][]string{
		fName: {"accountname", "name", "account", "company", "companyname", "customer", "customername", "client",
			"clientname", "organization", "organisation"},
		fExt: {"accountid", "id", "externalid", "externalaccountid", "accountexternalid", "crmid", "salesforceid",
			"sfdcid", "sfdcaccountid", "hubspotid", "recordid", "companyid", "gainsightid", "gsid", "customerid"},
		fOwner: {"accountowner", "owner", "ownername", "accountownername", "accountmanager", "csm", "csmname",
			"companyowner", "customersuccessmanager", "clientrelationsmanager"},
		fOwnerEmail: {"owneremail", "accountowneremail", "csmemail", "accountmanageremail", "companyowneremail"},
		// Not "Annual Revenue": in a CRM that is the client company's own revenue.
		fARR: {"arr", "annualrecurringrevenue", "arramount", "currentarr", "arrusd", "contractarr", "totalarr"},
		fMRR: {"mrr", "mrramount", "monthlyrecurringrevenue", "mrrusd"},
		fRenewal: {"renewaldate", "contractenddate", "enddate", "renewal", "nextrenewaldate", "contractend",
			"renewaldue", "subscriptionenddate"},
		fStart:           {"contractstart", "contractstartdate", "startdate", "customersince", "subscriptionstartdate"},
		fSeats:           {"seats", "licenses", "licences", "licensedseats", "seatcount", "licensecount", "licensedusers", "purchasedseats"},
		fActiveUsers:     {"activeusers", "activeusers30d", "mau", "monthlyactiveusers", "activeuserslast30days"},
		fTickets:         {"tickets30d", "tickets", "supporttickets", "supporttickets30d", "ticketslast30days", "ticketcount"},
		fCritical:        {"opencriticaltickets", "opencritical", "criticaltickets", "opencriticals"},
		fChampion:        {"champion", "championname", "primarycontact", "primarycontactname", "maincontact"},
		fChampionEmail:   {"championemail", "primarycontactemail", "maincontactemail"},
		fChampionChanged: {"championchanged", "championleft", "championchange"},
		fNPS:             {"nps", "npsscore", "latestnps", "lastnps"},
		fCSAT:            {"csat", "csatscore", "latestcsat", "lastcsat"},
		fSegment:         {"segment", "tier", "customersegment", "accounttier", "customertier", "accountsegment"},
		fLifecycle:       {"lifecycle", "accountlifecycle"},
		fLastTouch: {"lasttouch", "lastactivity", "lastactivitydate", "lasttouchdate", "lastcontacted", "lastcontactdate",
			"lastengagement", "lastengagementdate"},
		fLastQBR:       {"lastqbr", "lastqbrdate", "lastebr", "lastbusinessreview"},
		fPipeline:      {"expansionpipeline", "pipeline", "expansionpipelinearr", "expansionarr", "upsellpipeline"},
		fPipelineStage: {"pipelinestage", "expansionstage", "expansionpipelinestage"},
		fPlan:          {"successplan"},
		fOvBand:        {"overrideband", "healthoverride", "bandoverride"},
		fOvReason:      {"overridereason"},
		fOvAuthor:      {"overrideauthor", "overrideby"},
		fOvExpires:     {"overrideexpires", "overrideexpiry", "overrideexpirydate"},
	}),
	Members: build(map[string][]string{
		fName:     {"name", "fullname", "membername", "teammember", "member"},
		fEmail:    {"email", "emailaddress", "workemail", "memberemail"},
		fRole:     {"role", "position", "jobrole"},
		fCapacity: {"capacity", "maxaccounts", "targetcapacity", "accountcapacity"},
		fOneOnOne: {"last11", "lastoneonone", "last1on1", "last11date", "lastoneononedate"},
		fActive:   {"active", "isactive", "enabled"},
	}),
	Escalations: build(map[string][]string{
		fEscID:       {"escalationid", "id"},
		fAccountExt:  {"accountid", "externalid", "accountexternalid", "crmid", "externalaccountid"},
		fAccountName: {"account", "accountname", "company", "customer", "client"},
		fTitle:       {"title", "subject", "summary", "escalation", "issue"},
		fDescription: {"description", "details", "body"},
		fSeverity:    {"severity", "priority", "sev"},
		fStatus:      {"status", "state"},
		fOwner:       {"owner", "assignee", "assignedto", "escalationowner", "ownername"},
		fRaisedBy:    {"raisedby", "reporter", "reportedby", "createdby", "openedby"},
		fDecision:    {"decision"},
		fCreatedAt:   {"createdat", "created", "createddate", "opened", "openedat", "dateopened", "raisedat"},
		fResolvedAt:  {"resolvedat", "resolved", "closedat", "closeddate", "dateclosed", "resolveddate"},
		fSLADue:      {"sladue", "due", "duedate", "dueat"},
	}),
	Activities: build(map[string][]string{
		fAccountExt:  {"accountid", "externalid", "accountexternalid", "crmid", "externalaccountid"},
		fAccountName: {"account", "accountname", "company", "customer", "client"},
		fAt:          {"at", "date", "datetime", "when", "activitydate", "timestamp", "occurredat", "time"},
		fAuthor:      {"author", "by", "loggedby", "createdby", "user"},
		fKind:        {"kind", "type", "activitytype", "channel"},
		fText:        {"text", "notes", "note", "body", "description", "subject", "comments", "comment", "details"},
	}),
}

// computed lists, per kind, the columns steward's exports add that an import
// skips without reporting them as unknown.
var computed = map[Kind]map[string]bool{
	Accounts:    set("healthscore", "score", "band", "healthband", "flags", "riskflags", "effectivesegment", "trend", "stewardid"),
	Members:     set("id", "stewardid", "accounts"),
	Escalations: set("updatedat", "breached", "slabreached", "timelineevents", "timeline", "events", "stewardid"),
	Activities:  set("id", "activityid", "stewardid"),
}

// fieldLabel is how a message names a field.
var fieldLabel = map[string]string{
	fName: "name", fExt: "external ID", fOwner: "owner", fOwnerEmail: "owner email", fARR: "ARR", fMRR: "MRR",
	fRenewal: "renewal date", fStart: "contract start", fSeats: "seats", fActiveUsers: "active users",
	fTickets: "tickets (30d)", fCritical: "open critical tickets", fChampion: "champion", fChampionEmail: "champion email",
	fChampionChanged: "champion changed", fNPS: "NPS", fCSAT: "CSAT", fSegment: "segment", fLifecycle: "lifecycle",
	fLastTouch: "last touch", fLastQBR: "last QBR", fPipeline: "expansion pipeline", fPipelineStage: "pipeline stage",
	fPlan: "success plan", fOvBand: "override band", fOvReason: "override reason", fOvAuthor: "override author",
	fOvExpires: "override expiry", fEmail: "email", fRole: "role", fCapacity: "capacity", fOneOnOne: "last 1:1",
	fActive: "active", fAccountExt: "account ID", fAccountName: "account name", fEscID: "escalation ID", fTitle: "title",
	fDescription: "description", fSeverity: "severity", fStatus: "status", fRaisedBy: "raised by", fDecision: "decision",
	fCreatedAt: "created at", fResolvedAt: "resolved at", fSLADue: "SLA due", fAt: "date/time", fAuthor: "author",
	fKind: "kind", fText: "text",
}

func build(m map[string][]string) map[string]string {
	out := map[string]string{}
	for field, names := range m {
		for _, n := range names {
			if prev, dup := out[n]; dup {
				panic(fmt.Sprintf("transfer: alias %q of %s and %s", n, prev, field))
			}
			out[n] = field
		}
	}
	return out
}

func set(names ...string) map[string]bool {
	out := map[string]bool{}
	for _, n := range names {
		out[n] = true
	}
	return out
}

// column is one column of the file.
type column struct {
	name  string // as written in the file
	field string // field key, or "" when ignored
}

// resolve says what a header means for kind k: its field key, or "" with
// silent set when it is a computed column steward's exports add.
func resolve(k Kind, header string) (field string, silent bool) {
	n := normalize(header)
	if n == "" {
		return "", true
	}
	if f, ok := aliases[k][n]; ok {
		return f, false
	}
	return "", computed[k][n]
}

// detectKind picks the kind whose known column names match the most
// headers; a tie (or no match) is an error asking for --kind.
func detectKind(headers []string) (Kind, error) {
	type score struct {
		k Kind
		n int
	}
	var scores []score
	for _, k := range []Kind{Accounts, Members, Escalations, Activities} {
		n := 0
		for _, h := range headers {
			// A reference to an account says little about what the file
			// holds: escalations and activities are told apart by their
			// own columns.
			if f, _ := resolve(k, h); f != "" && f != fAccountExt && f != fAccountName {
				n++
			}
		}
		scores = append(scores, score{k, n})
	}
	sort.SliceStable(scores, func(i, j int) bool { return scores[i].n > scores[j].n })
	if scores[0].n == 0 {
		return "", fmt.Errorf("none of its columns (%s) is one steward knows: pass --kind and check the column names", quoteList(headers, 8))
	}
	if scores[0].n == scores[1].n {
		return "", fmt.Errorf("its columns could hold %s or %s: pass --kind", scores[0].k, scores[1].k)
	}
	return scores[0].k, nil
}

func quoteList(items []string, max int) string {
	var q []string
	for i, s := range items {
		if i == max {
			q = append(q, fmt.Sprintf("and %d more", len(items)-max))
			break
		}
		q = append(q, fmt.Sprintf("%q", shorten(s, 40)))
	}
	return strings.Join(q, ", ")
}

// required names the columns a kind cannot do without: at least one of each
// group.
var required = map[Kind][][]string{
	Accounts:    {{fName, fExt}},
	Members:     {{fName, fEmail}},
	Escalations: {{fAccountExt, fAccountName, fEscID}},
	Activities:  {{fAccountExt, fAccountName}, {fAt}, {fKind}},
}

// describeGroup lists the usual header names of a group of fields.
func describeGroup(k Kind, group []string) string {
	var names []string
	for _, f := range group {
		names = append(names, fmt.Sprintf("%q", headerFor(k, f)))
	}
	return strings.Join(names, " or ")
}

// headerFor is the header steward's exports write for a field.
func headerFor(k Kind, field string) string {
	for _, c := range exportColumns(k) {
		if c.field == field {
			return c.csv
		}
	}
	return fieldLabel[field]
}
