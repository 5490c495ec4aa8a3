package demo

import (
	"strings"
	"unicode"
)

// Word lists for the demo portfolio. Everything here is fictitious; the
// lists are combined by index (never by map iteration), so a seed always
// produces the same names.

var firstNames = []string{
	"Aisha", "Alejandro", "Amara", "Anders", "Ananya", "Aoife", "Beatriz", "Benedikt",
	"Camille", "Carlos", "Chiara", "Chloe", "Daniel", "Dana", "Dmitri", "Elena",
	"Emeka", "Emma", "Farah", "Felix", "Fiona", "Gabriel", "Grace", "Hannah",
	"Haruto", "Hugo", "Ingrid", "Isaac", "Ivy", "Jamal", "Jana", "Javier",
	"Jonas", "Julia", "Kai", "Kenji", "Keisha", "Lars", "Laura", "Leila",
	"Liam", "Lucia", "Mads", "Maya", "Mei", "Mateo", "Marcus", "Nadia",
	"Naveen", "Nina", "Noah", "Olivia", "Omar", "Pablo", "Priya", "Rafael",
	"Rahel", "Ravi", "Rosa", "Ruth", "Sadia", "Samuel", "Santiago", "Sara",
	"Sebastian", "Shira", "Sofia", "Sven", "Tariq", "Tessa", "Thomas", "Tomás",
	"Uma", "Valentina", "Victor", "Wei", "Yara", "Yusuf", "Zanele", "Zoe",
}

var lastNames = []string{
	"Abbott", "Achebe", "Alvarez", "Andersen", "Bauer", "Becker", "Bergström", "Bianchi",
	"Brennan", "Castillo", "Chen", "Choi", "Costa", "Dubois", "Eriksen", "Fischer",
	"Fitzgerald", "Fontaine", "Garcia", "Gupta", "Hakimi", "Hansen", "Haddad", "Ibarra",
	"Ito", "Jansen", "Johansson", "Kaplan", "Kim", "Kowalski", "Krüger", "Larsen",
	"Lindqvist", "Lopez", "Mahlangu", "Marino", "Martins", "Mensah", "Moreau", "Müller",
	"Nakamura", "Novak", "Nowak", "Okafor", "Oliveira", "O'Neill", "Patel", "Petrov",
	"Quinn", "Ramirez", "Reyes", "Richter", "Rossi", "Sato", "Schmidt", "Sharma",
	"Silva", "Singh", "Sokolov", "Takahashi", "Tanaka", "Thompson", "Vance", "Varga",
	"Vogel", "Walsh", "Weber", "Whitfield", "Wright", "Yamamoto", "Yilmaz", "Zhang",
}

var companyWords = []string{
	"Acorn", "Alder", "Alpine", "Amber", "Anchor", "Apex", "Arbor", "Argent",
	"Atlas", "Aurora", "Avalon", "Beacon", "Bellwether", "Birch", "Blackwood", "Bluefin",
	"Bluestone", "Boreal", "Brightline", "Broadleaf", "Cascade", "Cedar", "Celadon", "Clearwater",
	"Cobalt", "Copper", "Coral", "Cornerstone", "Crescent", "Crestview", "Cypress", "Delta",
	"Driftwood", "Eastgate", "Ember", "Evergreen", "Fairview", "Falcon", "Fern", "Fjord",
	"Foxglove", "Frontier", "Galena", "Garnet", "Glacier", "Granite", "Greenfield", "Halcyon",
	"Harbor", "Hawthorn", "Helix", "Heron", "Highland", "Horizon", "Indigo", "Ironbridge",
	"Ivory", "Juniper", "Keystone", "Kestrel", "Lakeshore", "Lantern", "Larkspur", "Lighthouse",
	"Linden", "Lodestar", "Lumen", "Magnolia", "Maple", "Marigold", "Meridian", "Millbrook",
	"Monarch", "Moss", "Northwind", "Nova", "Oakridge", "Obsidian", "Onyx", "Orchard",
	"Osprey", "Pacific", "Palisade", "Paragon", "Pebble", "Peregrine", "Pinnacle", "Polaris",
	"Prairie", "Quarry", "Quartz", "Radiant", "Redwood", "Ridgeline", "Riverbend", "Rowan",
	"Saffron", "Sage", "Sandstone", "Sapphire", "Sequoia", "Shoreline", "Silverline", "Skyline",
	"Solstice", "Sparrow", "Spruce", "Starling", "Stonebridge", "Summit", "Sunridge", "Tamarack",
	"Tidewater", "Timberline", "Topaz", "Trailhead", "Tundra", "Umber", "Upland", "Vantage",
	"Verdant", "Vertex", "Vista", "Wayfarer", "Westbrook", "Willow", "Windward", "Wren",
	"Yarrow", "Zenith", "Zephyr", "Lumina", "Kingsley", "Ashford", "Bramble", "Caldera",
}

var companyCores = []string{
	"Analytics", "Logistics", "Health", "Labs", "Systems", "Foods", "Freight", "Energy",
	"Capital", "Insurance", "Robotics", "Media", "Pharma", "Retail", "Software", "Telecom",
	"Biotech", "Outfitters", "Manufacturing", "Hospitality", "Learning", "Mobility", "Security", "Payments",
	"Dynamics", "Networks", "Ventures", "Studios", "Brewing", "Aerospace", "Marine", "Textiles",
	"Semiconductors", "Clinics", "Realty", "Legal", "Consulting", "Data", "Cloud", "Solar",
	"Water", "Agritech", "Apparel", "Motors", "Partners", "Holdings", "Pharmacy", "Hotels",
	"Airlines", "Fintech", "Games", "Publishing", "Dental", "Veterinary", "Construction", "Chemicals",
	"Packaging", "Instruments", "Materials", "Devices", "Education", "Kitchens", "Transit", "Wellness",
	"Home", "Supply", "Bank", "Credit Union", "Medical", "Engineering",
}

// companySuffixes must be distinct: names are unique combinations of a
// word, a core and a suffix.
var companySuffixes = []string{"", "Inc.", "GmbH", "Ltd", "LLC", "Group", "AB", "S.A.", "Pty Ltd", "B.V.", "Co."}

// specialCompanies exercise the UI's wide-character and emoji handling.
// Each comes with an ASCII mail domain.
var specialCompanies = []struct{ name, domain string }{
	{"株式会社サクラ物流", "sakura-butsuryu.example"},
	{"Rocket 🚀 Labs", "rocketlabs.example"},
	{"Brauhaus Müller & Söhne KG", "brauhaus-mueller.example"},
	{"北京云帆科技有限公司", "yunfan-tech.example"},
	{"한빛 소프트웨어", "hanbit-soft.example"},
	{"Café Olé ☕ Roasters", "cafeole.example"},
	{"Ångström Instruments AB", "angstrom.example"},
}

var stages = []string{"discovery", "qualified", "proposal", "negotiation", "commit"}

var planGoals = []string{
	"Roll out to the remaining {seats} seats by end of quarter",
	"Cut average ticket volume by 20% through admin training",
	"Integrate with their data warehouse and retire the legacy export",
	"Executive sponsor review of ROI before renewal",
	"Expand from the pilot team to two more business units",
	"Launch self-serve onboarding for new hires",
	"Consolidate three regional instances into one workspace",
	"Reach 80% weekly active usage among licensed seats",
	"Automate the month-end reporting workflow",
	"Certify two in-house admins on the advanced course",
}

var planNext = []string{
	"Next: QBR deck with adoption trends.",
	"Next: admin workshop booked with the champion.",
	"Next: success criteria sign-off from the sponsor.",
	"Next: health check call after the release.",
	"Next: usage review with department heads.",
	"Next: renewal prep and pricing conversation.",
	"Next: SSO migration plan with IT.",
	"Next: case study interview.",
}

var escTopics = []struct{ title, desc string }{
	{"SSO login failures after IdP migration", "Users cannot sign in since the customer moved to a new identity provider; the help desk is flooded."},
	{"Invoice dispute on the renewal quote", "Finance says the renewal quote does not reflect the discount agreed during the last cycle."},
	{"Nightly data export failing", "The scheduled export to their warehouse has failed for several nights; finance reporting is blocked."},
	{"Executive complaint about support response times", "The COO emailed our CEO about slow answers on priority tickets."},
	{"API rate limits hit during peak hours", "Their integration is throttled every morning; orders queue up until noon."},
	{"Feature promised in the sales cycle is missing", "The buyer was told bulk editing would ship this quarter; it is not on the roadmap."},
	{"Onboarding stalled: no admin access", "Their IT has not granted admin rights; kickoff is three weeks behind plan."},
	{"Performance degradation in the EU region", "Dashboards take over ten seconds to load for their European teams."},
	{"Security questionnaire overdue", "Procurement will not sign the renewal until the security questionnaire is answered."},
	{"New VP questions the value of the platform", "The champion left; the new VP wants a business case before renewal."},
	{"Data discrepancy in monthly report", "Numbers in the monthly usage report do not match their internal BI tool."},
	{"Mobile app crashes on Android 14", "Field staff cannot log visits from their phones since the OS update."},
	{"Billing contact changed, invoices bouncing", "Invoices go to a mailbox that no longer exists; two are past due."},
	{"Request for contract termination clause review", "Legal is reviewing the termination clause after a budget freeze."},
	{"Webhook deliveries delayed", "Webhooks arrive up to an hour late, breaking their ticket routing."},
}

var escNotes = []string{
	"Called the champion; they confirmed the impact and shared logs.",
	"Engineering reproduced the issue; fix in review.",
	"Sent a status update and next steps to the sponsor.",
	"Customer asked for a daily update until this is closed.",
	"Workaround shared; customer testing it with one team.",
	"Joined the customer's internal stand-up to answer questions.",
	"Escalated internally to the product lead for a roadmap answer.",
	"Credits discussed as a goodwill gesture, pending approval.",
}

var escResolutions = []string{
	"Fix deployed and confirmed by the customer.",
	"Workaround accepted; permanent fix scheduled.",
	"Credit issued and the customer confirmed the matter closed.",
	"Root cause shared in a call with the sponsor; closed.",
	"Configuration corrected with their admin; monitoring for a week.",
}

var activityText = map[string][]string{
	"call": {
		"Check-in call with the champion: usage steady, two feature requests logged.",
		"Call about the upcoming renewal and budget timing.",
		"Quick call to review open tickets and training needs.",
		"Call with the new admin to walk through reporting.",
	},
	"email": {
		"Sent the monthly adoption summary and release notes.",
		"Followed up on the training invitation.",
		"Shared the renewal timeline and next steps.",
		"Emailed best-practice guide for dashboards.",
	},
	"meeting": {
		"Onsite workshop with the operations team.",
		"Roadmap session with product and the champion.",
		"Admin training for the regional leads.",
		"Success plan review with the sponsor.",
	},
	"qbr": {
		"Quarterly business review: adoption, ROI and goals for next quarter.",
		"QBR with the executive sponsor; success plan refreshed.",
	},
	"note": {
		"Champion mentioned a reorg in their department.",
		"Usage dipped during their peak season; expected to recover.",
		"Procurement is consolidating vendors this year.",
		"Strong reference candidate for the case-study program.",
	},
}

// slug makes an ASCII mail-domain label from a company name.
func slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range name {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// mailLocal makes the local part of a person's address: "dana.whitfield".
func mailLocal(first, last string) string {
	return asciiFold(first) + "." + asciiFold(last)
}

var foldMap = map[rune]string{
	'á': "a", 'à': "a", 'ä': "ae", 'å': "a", 'ã': "a", 'é': "e", 'è': "e", 'ë': "e",
	'í': "i", 'ó': "o", 'ö': "oe", 'ø': "o", 'ú': "u", 'ü': "ue", 'ñ': "n", 'ç': "c",
	'ß': "ss",
}

func asciiFold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case foldMap[r] != "":
			b.WriteString(foldMap[r])
		}
	}
	return b.String()
}
