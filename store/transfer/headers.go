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
	fSuccessPlan     = "success_plan"
	fPlan            = "plan"
	fChurned         = "churned"
	fChurnDate       = "churn_date"
	fTrial           = "trial"
	fSince           = "customer_since" // contract start stand-ins: see startFields
	fSignup          = "signup_date"
	fCreated         = "created_date"
	fOvBand          = "override_band"
	fOvReason        = "override_reason"
	fOvAuthor        = "override_author"
	fOvExpires       = "override_expires"
	fObjectives      = "objectives" // success-plan objectives, JSON only

	// members
	fEmail    = "email"
	fRole     = "role"
	fCapacity = "capacity"
	fOneOnOne = "last_one_on_one"
	fActive   = "active"
	fSSHKeys  = "ssh_keys"

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
		// OwnerId (Salesforce) and hubspot_owner_id usually hold user IDs,
		// which memberRef reports as such; some exports put names there.
		fOwner: {"accountowner", "owner", "ownername", "accountownername", "accountmanager", "csm", "csmname",
			"companyowner", "customersuccessmanager", "clientrelationsmanager", "ownerid", "accountownerid", "hubspotownerid"},
		fOwnerEmail: {"owneremail", "accountowneremail", "csmemail", "accountmanageremail", "companyowneremail"},
		// Not "Annual Revenue": in a CRM that is the client company's own revenue.
		fARR: {"arr", "annualrecurringrevenue", "arramount", "currentarr", "arrusd", "contractarr", "totalarr"},
		fMRR: {"mrr", "mrramount", "monthlyrecurringrevenue", "mrrusd"},
		fRenewal: {"renewaldate", "contractenddate", "enddate", "renewal", "nextrenewaldate", "contractend",
			"renewaldue", "subscriptionenddate"},
		fStart:  {"contractstart", "contractstartdate", "startdate", "subscriptionstartdate"},
		fSince:  {"customersince", "customersincedate", "becameacustomerdate", "becamecustomerdate", "hslifecyclestagecustomerdate"},
		fSignup: {"signupdate", "signup", "signedup", "signedupat", "signedupon", "signupat", "registrationdate", "registeredat"},
		fCreated: {"createdate", "createddate", "created", "createdat", "createdon", "datecreated", "creationdate",
			"accountcreateddate", "companycreateddate"},
		fSeats:           {"seats", "licenses", "licences", "licensedseats", "seatcount", "licensecount", "licensedusers", "purchasedseats"},
		fActiveUsers:     {"activeusers", "activeusers30d", "mau", "monthlyactiveusers", "activeuserslast30days"},
		fTickets:         {"tickets30d", "tickets", "supporttickets", "supporttickets30d", "ticketslast30days", "ticketcount"},
		fCritical:        {"opencriticaltickets", "opencritical", "criticaltickets", "opencriticals"},
		fChampion:        {"champion", "championname", "primarycontact", "primarycontactname", "maincontact"},
		fChampionEmail:   {"championemail", "primarycontactemail", "maincontactemail"},
		fChampionChanged: {"championchanged", "championleft", "championchange"},
		fNPS:             {"nps", "npsscore", "latestnps", "lastnps"},
		fCSAT:            {"csat", "csatscore", "latestcsat", "lastcsat"},
		// A tier is a plan (Gold, Pro, Tier 1), not steward's segment.
		fSegment: {"segment", "customersegment", "accountsegment"},
		fPlan: {"plan", "planname", "pricingplan", "subscriptionplan", "productplan", "plantier", "tier", "pricingtier",
			"subscriptiontier", "accounttier", "customertier", "edition", "productedition", "package", "licensetype", "licencetype"},
		fLifecycle: {"lifecycle", "accountlifecycle", "lifecyclestage", "customerlifecycle"},
		fStatus:    {"status", "accountstatus", "customerstatus", "clientstatus", "companystatus"},
		fChurned:   {"churned", "ischurned", "churnflag", "churnedflag", "haschurned", "churnedcustomer"},
		fChurnDate: {"churndate", "churneddate", "churnedon", "churnedat", "datechurned", "cancellationdate", "cancelleddate",
			"canceleddate", "canceldate", "cancelledat", "canceledat"},
		fTrial: {"trial", "istrial", "ontrial", "intrial", "trialflag", "freetrial", "onboarding", "isonboarding", "inonboarding",
			"onboardingflag"},
		fLastTouch: {"lasttouch", "lastactivity", "lastactivitydate", "lasttouchdate", "lastcontacted", "lastcontactdate",
			"lastengagement", "lastengagementdate"},
		fLastQBR:       {"lastqbr", "lastqbrdate", "lastebr", "lastbusinessreview"},
		fPipeline:      {"expansionpipeline", "pipeline", "expansionpipelinearr", "expansionarr", "upsellpipeline"},
		fPipelineStage: {"pipelinestage", "expansionstage", "expansionpipelinestage"},
		fSuccessPlan:   {"successplan"},
		fOvBand:        {"overrideband", "healthoverride", "bandoverride"},
		fOvReason:      {"overridereason"},
		fOvAuthor:      {"overrideauthor", "overrideby"},
		fOvExpires:     {"overrideexpires", "overrideexpiry", "overrideexpirydate"},
		fObjectives:    {"objectives", "successplanobjectives", "planobjectives"},
	}),
	Members: build(map[string][]string{
		fName:     {"name", "fullname", "membername", "teammember", "member"},
		fEmail:    {"email", "emailaddress", "workemail", "memberemail"},
		fRole:     {"role", "position", "jobrole"},
		fCapacity: {"capacity", "maxaccounts", "targetcapacity", "accountcapacity"},
		fOneOnOne: {"last11", "lastoneonone", "last1on1", "last11date", "lastoneononedate"},
		fActive:   {"active", "isactive", "enabled"},
		fSSHKeys:  {"sshkeys", "sshkey", "publickeys", "publickey", "sshpublickeys", "sshpublickey"},
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

// startFields are the columns an account's contract start is read from,
// best first: a customer-since, signup or created date stands in for the
// contract start when the file has no better column.
var startFields = []string{fStart, fSince, fSignup, fCreated}

// hints lists, per kind, columns that files of that kind usually have and
// steward does not import: they are listed as ignored, but they are
// evidence of what a file holds (a Salesforce account export has Industry,
// Website and Billing City, and no activity has those).
var hints = map[Kind]map[string]bool{
	Accounts: set("annualrevenue", "industry", "website", "domain", "companydomainname", "phone", "phonenumber", "fax",
		"numberofemployees", "employees", "employeecount", "billingstreet", "billingcity", "billingstate",
		"billingpostalcode", "billingcountry", "billingaddress", "shippingstreet", "shippingcity", "shippingstate",
		"shippingpostalcode", "shippingcountry", "shippingaddress", "accountsource", "parentid", "parentaccount",
		"parentaccountid", "rating", "sic", "sicdesc", "tickersymbol", "ownership", "type", "accounttype", "description",
		"city", "country", "stateregion", "postalcode", "zip", "zipcode", "timezone", "linkedincompanypage"),
	Members:     set("team", "department", "jobtitle", "reportsto", "hiredate"),
	Escalations: set("casenumber", "caseid", "ticketid", "ticketnumber", "category", "resolution", "rootcause", "escalationlevel"),
	Activities:  set("duration", "durationminutes", "calldurationinseconds", "direction", "outcome", "attendees", "participants"),
}

// fieldLabel is how a message names a field.
var fieldLabel = map[string]string{
	fName: "name", fExt: "external ID", fOwner: "owner", fOwnerEmail: "owner email", fARR: "ARR", fMRR: "MRR",
	fRenewal: "renewal date", fStart: "contract start", fSeats: "seats", fActiveUsers: "active users",
	fTickets: "tickets (30d)", fCritical: "open critical tickets", fChampion: "champion", fChampionEmail: "champion email",
	fChampionChanged: "champion changed", fNPS: "NPS", fCSAT: "CSAT", fSegment: "segment", fLifecycle: "lifecycle",
	fLastTouch: "last touch", fLastQBR: "last QBR", fPipeline: "expansion pipeline", fPipelineStage: "pipeline stage",
	fSuccessPlan: "success plan", fPlan: "plan", fChurned: "churn flag", fChurnDate: "churn date", fTrial: "trial flag",
	fSince: "customer since", fSignup: "signup date", fCreated: "created date", fOvBand: "override band",
	fOvReason: "override reason", fOvAuthor: "override author", fObjectives: "objectives",
	fOvExpires: "override expiry", fEmail: "email", fRole: "role", fCapacity: "capacity", fOneOnOne: "last 1:1",
	fActive: "active", fSSHKeys: "SSH keys", fAccountExt: "account ID", fAccountName: "account name", fEscID: "escalation ID", fTitle: "title",
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

// headerKey is the form a header is matched in: normalized, and without
// the "__c" Salesforce puts on custom fields (ARR__c, Renewal_Date__c).
func headerKey(h string) string {
	h = strings.TrimSpace(h)
	if len(h) > 3 && strings.EqualFold(h[len(h)-3:], "__c") {
		h = h[:len(h)-3]
	}
	return normalize(h)
}

// column is one column of the file.
type column struct {
	name  string // as written in the file
	field string // field key, or "" when ignored
}

// resolve says what a header means for kind k: its field key, or "" with
// silent set when it is a computed column steward's exports add.
func resolve(k Kind, header string) (field string, silent bool) {
	n := headerKey(header)
	if n == "" {
		return "", true
	}
	if f, ok := aliases[k][n]; ok {
		return f, false
	}
	return "", computed[k][n]
}

// detectKind weighs, for each kind, the evidence the headers give that the
// file holds records of that kind, and picks the kind with clearly the most
// (README "Import and export"):
//
//   - a header is evidence for every kind that knows its name, as a field it
//     imports or as a column such files usually carry (hints); a name several
//     kinds know ("Name", "Status", "Description") is split between them, so
//     a name only one kind uses weighs the most;
//   - an account reference ("Account ID" in an activity file) is no evidence
//     for escalations or activities, which all carry one;
//   - a kind that lacks a column it cannot do without (an activity date and
//     kind, an account reference, a name or ID) is not a candidate, unless no
//     kind is, and then the strongest is reported with what it lacks;
//   - when the runner-up has at least three quarters of the leader's weight
//     the file is ambiguous: the error names the kinds that fit, with their
//     evidence, and asks for --kind rather than guess.
func detectKind(headers []string) (Kind, error) {
	kinds := []Kind{Accounts, Members, Escalations, Activities}
	type tally struct {
		k      Kind
		weight int
		cols   []string
		fields map[string]bool
		viable bool
	}
	tallies := make([]*tally, len(kinds))
	for i, k := range kinds {
		tallies[i] = &tally{k: k, fields: map[string]bool{}}
	}
	for _, h := range headers {
		n := headerKey(h)
		if n == "" {
			continue
		}
		var counts [4]bool
		known := 0
		for i, k := range kinds {
			f, isField := aliases[k][n]
			if isField {
				tallies[i].fields[f] = true
			}
			if isField || hints[k][n] {
				known++
				counts[i] = f != fAccountExt && f != fAccountName
			}
		}
		for i, t := range tallies {
			if counts[i] {
				t.weight += 12 / known // 12: divisible by 1 to 4 kinds
				t.cols = append(t.cols, h)
			}
		}
	}
	var cands []*tally
	for _, t := range tallies {
		t.viable = true
		for _, group := range required[t.k] {
			ok := false
			for _, f := range group {
				ok = ok || t.fields[f]
			}
			t.viable = t.viable && ok
		}
		if t.viable && t.weight > 0 {
			cands = append(cands, t)
		}
	}
	if len(cands) == 0 {
		for _, t := range tallies {
			if t.weight > 0 {
				cands = append(cands, t)
			}
		}
	}
	if len(cands) == 0 {
		return "", fmt.Errorf("none of its columns (%s) is one steward knows: pass --kind and check the column names", quoteList(headers, 8))
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].weight > cands[j].weight })
	close := cands[:1]
	for _, t := range cands[1:] {
		if t.weight*4 >= cands[0].weight*3 {
			close = append(close, t)
		}
	}
	if len(close) == 1 {
		return close[0].k, nil
	}
	var fits, flags []string
	for _, t := range close {
		fits = append(fits, fmt.Sprintf("%s (%s)", t.k, quoteList(t.cols, 3)))
		flags = append(flags, "--kind "+string(t.k))
	}
	return "", fmt.Errorf("its columns fit %s about equally: pass %s", joinOr(fits), joinOr(flags))
}

// joinOr writes "a", "a or b", "a, b or c".
func joinOr(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
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
