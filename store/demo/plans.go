package demo

import (
	"math/rand/v2"
	"time"

	"steward/metrics"
	"steward/store"
)

// objectiveTemplates are success-plan objectives a CSM writes, each with
// the milestones that usually lead to it, in order.
var objectiveTemplates = []struct {
	text       string
	milestones []string
}{
	{"Roll out to the EMEA sales team", []string{"Admin training done", "SSO configured", "50% seats active", "80% seats active"}},
	{"Replace the legacy ticketing tool", []string{"Data migration plan signed off", "Pilot team live", "Legacy tool switched off", "Support runbook updated"}},
	{"Engage an executive sponsor", []string{"Sponsor named", "Kick-off with the VP of Operations", "Success criteria agreed", "Quarterly exec review booked"}},
	{"Cut onboarding of new hires to one week", []string{"Onboarding template built", "First cohort through in 7 days", "Manager survey above 4/5"}},
	{"Expand to the APAC entity", []string{"Entity contract drafted", "APAC admin trained", "First APAC team live", "Budget approved for year two"}},
	{"Integrate with their CRM", []string{"API credentials issued", "Field mapping agreed", "Sync running nightly", "Dashboards rebuilt on synced data"}},
	{"Raise weekly active usage to 70%", []string{"Usage report shared with the champion", "Power-user program launched", "In-app tips enabled", "70% weekly active for a month"}},
	{"Halve P1 tickets", []string{"Top ten ticket causes reviewed", "Config fixes deployed", "Admin office hours started", "Fewer than 5 P1s a month"}},
	{"Build the renewal business case", []string{"ROI metrics collected", "Value review with finance", "Business case sent to procurement"}},
	{"Launch the analytics module", []string{"Analytics licences provisioned", "Data team trained", "First executive dashboard live"}},
	{"Pass the security review before renewal", []string{"Questionnaire returned", "Pen-test report shared", "Security sign-off received"}},
	{"Consolidate regional workspaces into one", []string{"Workspace design agreed", "North America migrated", "Europe migrated", "Old workspaces archived"}},
}

// genPlans gives about 60% of the live accounts a success plan of one to
// three objectives with one to four milestones each (README, "Success
// plans"): some achieved (every milestone done) and a few dropped; the
// live ones on track or, more often on unhealthy accounts, at risk; past
// milestones mostly done, a healthy account's more often, so some are
// overdue and those accounts carry plan-at-risk. It draws from its own
// random stream, after everything else: the rest of the demo is what it
// was (the export changes only by the objectives and the new flag).
func (g *generator) genPlans() {
	rng := rand.New(rand.NewPCG(uint64(g.opt.Seed), 0x9a1a_5e7_0b1e_c7e5))
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	chance := func(p float64) bool { return rng.Float64() < p }
	g.plans = make([]store.Plan, 0, g.n*6/10)
	for i := range g.acc {
		a := &g.acc[i]
		if a.churnAt != 0 || !chance(0.6) {
			continue
		}
		h := a.latent
		if a.unknown {
			h = 0.7 // signed days ago: nothing has gone wrong yet
		}
		by := g.ownerName(a)
		p := store.Plan{AccountID: uint64(i + 1)} // IDs as writeBatch checks them
		nextID := func() int { p.LastID++; return p.LastID }
		n := 1 + rng.IntN(3)
		p.Objectives = make([]store.Objective, 0, n)
		first := rng.IntN(len(objectiveTemplates))
		for k := 0; k < n; k++ {
			tpl := objectiveTemplates[(first+k*5)%len(objectiveTemplates)] // five apart in a cycle of twelve: never the same twice
			o := store.Objective{ID: nextID(), Text: tpl.text, Status: metrics.OnTrack}
			r := rng.Float64()
			switch {
			case a.unknown:
			case r < 0.15:
				o.Status = metrics.Achieved
			case r < 0.20:
				o.Status = metrics.Dropped
			case r < 0.20+0.02+0.2*(1-h):
				o.Status = metrics.ObjectiveAtRisk
			}
			// Started one to five months ago (an onboarding account's
			// this week), with a target up to seven months ahead; an
			// achieved one reached its target before today.
			start := g.today.AddDays(-between(30, 150))
			if a.unknown {
				start = g.today.AddDays(-between(0, 6))
			}
			o.Target = g.today.AddDays(between(20, 210))
			if o.Status == metrics.Achieved {
				o.Target = g.today.AddDays(-between(3, 25))
			}
			if start >= o.Target {
				start = o.Target.AddDays(-30)
			}
			ms := between(1, min(4, len(tpl.milestones)))
			span := o.Target.Sub(start)
			o.Milestones = make([]store.Milestone, 0, ms)
			for j := 0; j < ms; j++ {
				m := store.Milestone{ID: nextID(), Text: tpl.milestones[j], Due: start.AddDays(span * (j + 1) / ms)}
				switch {
				case o.Status == metrics.Achieved:
					m.Done = true
				case m.Due < g.today:
					// Late work is more common where the account is
					// not doing well.
					m.Done = chance(0.86 + 0.13*h)
				default:
					m.Done = chance(0.08)
				}
				if m.Done {
					// Ticked a few days either side of the due date,
					// never after now.
					at := m.Due.AddDays(between(-5, 3)).Time().Add(time.Duration(between(9*60, 18*60)) * time.Minute)
					if at.After(g.now) {
						at = g.now.Add(-time.Duration(between(1, 72)) * time.Hour)
					}
					m.DoneAt, m.DoneBy = at, by
				}
				o.Milestones = append(o.Milestones, m)
			}
			p.Objectives = append(p.Objectives, o)
		}
		g.plans = append(g.plans, p)
	}
}
