package transfer

import (
	"slices"
	"strings"
	"testing"
)

// Issue 9, point 1: kind detection weighs the evidence for each kind.

// salesforceAPIAccounts is a Salesforce export of Account with API field
// names, as Data Loader and Workbench write it.
const salesforceAPIAccounts = "name,phone,fax,website,type,industry,NumberOfEmployees,annualrevenue,description," +
	"BillingStreet,BillingCity,BillingState,BillingPostalCode,BillingCountry,OwnerId\n" +
	"Wayne Enterprises,+1 555 0100,,wayne.test,Customer - Direct,Manufacturing,5000,9000000000,\"Gotham's largest employer; analytics add-on\",1007 Mountain Dr,Gotham,NJ,07001,USA,Omar Haddad\n" +
	"Stark Industries,+1 555 0199,,stark.test,Customer - Channel,Technology,12000,,Arc reactors,10880 Malibu Pt,Malibu,CA,90265,USA,lena@example.com\n"

func TestSalesforceAPINamesAreAccounts(t *testing.T) {
	headers := strings.Split(strings.SplitN(salesforceAPIAccounts, "\n", 2)[0], ",")
	if k, err := detectKind(headers); err != nil || k != Accounts {
		t.Fatalf("detectKind(Salesforce API accounts) = %q, %v; want accounts", k, err)
	}
	db := fixtureDB(t)
	res := mustImport(t, db, writeFile(t, "Account.csv", salesforceAPIAccounts), ImportOptions{})
	if res.Kind != Accounts || res.Created != 2 {
		t.Fatalf("result = %+v", res)
	}
	wantIgnored := []string{"phone", "fax", "website", "type", "industry", "NumberOfEmployees", "annualrevenue", "description",
		"BillingStreet", "BillingCity", "BillingState", "BillingPostalCode", "BillingCountry"}
	if !slices.Equal(res.Ignored, wantIgnored) {
		t.Errorf("Ignored = %q\nwant      %q", res.Ignored, wantIgnored)
	}
	accts := accountsOf(t, db)
	if w, s := accts[3], accts[4]; w.Name != "Wayne Enterprises" || w.OwnerID != 2 || w.ARRCents != 0 || s.Name != "Stark Industries" || s.OwnerID != 3 {
		t.Errorf("accounts = %+v / %+v", w, s)
	}
}

// An OwnerId holding Salesforce user IDs matches no member: the row error
// says so, and --create-members does not turn IDs into people.
func TestOwnerColumnOfCRMUserIDs(t *testing.T) {
	file := strings.ReplaceAll(strings.ReplaceAll(salesforceAPIAccounts, ",Omar Haddad\n", ",0055g00000AbCdEAAV\n"), ",lena@example.com\n", ",005000000000001\n")
	for _, create := range []bool{false, true} {
		db := fixtureDB(t)
		before := fileSum(t, db)
		path := writeFile(t, "Account.csv", file)
		res, err := Import(db, testOpt, path, opts(ImportOptions{CreateMembers: create}))
		if err != nil {
			t.Fatal(err)
		}
		want := []string{path + `:2: column "OwnerId": is a CRM user ID, not a team member's name or email`,
			path + `:3: column "OwnerId": is a CRM user ID`}
		if len(res.Errors) != 2 || !strings.HasPrefix(res.Errors[0].Error(), want[0]) || !strings.HasPrefix(res.Errors[1].Error(), want[1]) {
			t.Errorf("--create-members=%v: errors\n%s", create, errList(res.Errors))
		}
		if len(res.MembersCreated) != 0 || fileSum(t, db) != before {
			t.Errorf("--create-members=%v: members %q, or the database changed", create, res.MembersCreated)
		}
	}
}

func TestKindDetectionWeighsEvidence(t *testing.T) {
	for _, c := range []struct {
		kind   Kind
		header string
		field  string
	}{
		{Accounts, "name", fName}, {Accounts, "account_name", fName}, {Accounts, "ownerid", fOwner}, {Accounts, "OwnerId", fOwner},
		{Accounts, "owner_name", fOwner}, {Accounts, "annual_recurring_revenue", fARR}, {Accounts, "arr_usd", fARR},
		{Accounts, "renewal_date", fRenewal}, {Accounts, "contract_end", fRenewal}, {Accounts, "seats", fSeats},
		{Accounts, "licenses", fSeats}, {Accounts, "ARR__c", fARR}, {Accounts, "Renewal_Date__c", fRenewal},
	} {
		if f, _ := resolve(c.kind, c.header); f != c.field {
			t.Errorf("%s header %q means %q, want %q", c.kind, c.header, f, c.field)
		}
	}
	for _, c := range []struct {
		headers []string
		want    Kind
	}{
		{[]string{"name", "phone", "fax", "website", "type", "industry", "NumberOfEmployees", "annualrevenue", "description"}, Accounts},
		{[]string{"Company name", "Company owner", "Annual Recurring Revenue", "Create Date", "Lifecycle Stage"}, Accounts},
		{[]string{"Account Name", "Type", "Description", "ARR", "Renewal Date"}, Accounts},
		{[]string{"account_name", "ownerid", "arr_usd", "contract_end", "licenses"}, Accounts},
		{[]string{"Account Name", "Date", "Type", "Description"}, Activities},
		{[]string{"Account", "Subject", "Priority", "Status"}, Escalations},
		{[]string{"Name", "Email", "Role"}, Members},
	} {
		if got, err := detectKind(c.headers); err != nil || got != c.want {
			t.Errorf("detectKind(%q) = %q, %v; want %s", c.headers, got, err, c.want)
		}
	}
	// Evidence that fits two kinds about equally: say which, ask for --kind.
	for _, c := range []struct {
		headers []string
		kinds   []Kind
	}{
		{[]string{"Name"}, []Kind{Accounts, Members}},
		{[]string{"Account Name", "ARR", "Date", "Type"}, []Kind{Accounts, Activities}},
		{[]string{"Account Name", "Owner", "Status", "Created At"}, []Kind{Accounts, Escalations}},
	} {
		_, err := detectKind(c.headers)
		if err == nil || !strings.Contains(err.Error(), "--kind") {
			t.Errorf("detectKind(%q) = %v, want an error asking for --kind", c.headers, err)
			continue
		}
		for _, k := range c.kinds {
			if !strings.Contains(err.Error(), string(k)) {
				t.Errorf("detectKind(%q): %q does not name %s", c.headers, err, k)
			}
		}
	}
}
