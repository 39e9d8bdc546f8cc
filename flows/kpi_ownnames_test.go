package flows

import (
	"strings"
	"testing"
)

// Every catalogue KPI, the kinds' own included, is still found by its own
// key and name, in a plan of only that KPI, in its kind's full plan and on
// a KPI line in its stage: ruling out names of other KPIs must not rule out
// a KPI's own.
func TestCatalogueKPIsResolveByTheirOwnNames(t *testing.T) {
	type entry struct {
		def  KPIDef
		kind Kind
		plan []KPI // the kind's suggested KPIs and its own
	}
	toKPI := func(d KPIDef) KPI { return KPI{Stage: d.Stage, Key: d.ID, Name: d.Name, Unit: d.Unit} }
	byID := map[string]KPIDef{}
	for _, st := range raceStages() {
		for _, d := range st.KPIs {
			byID[d.ID] = d
		}
	}
	var entries []entry
	for _, p := range kindProfiles {
		var plan []KPI
		for _, id := range p.KPIs {
			plan = append(plan, toKPI(byID[id]))
		}
		for _, d := range p.Custom {
			plan = append(plan, toKPI(d))
		}
		for _, id := range p.KPIs {
			entries = append(entries, entry{byID[id], p.Kind, plan})
		}
		for _, d := range p.Custom {
			entries = append(entries, entry{d, p.Kind, plan})
		}
	}
	for _, e := range entries {
		for _, name := range []string{e.def.ID, e.def.Name, strings.ToLower(e.def.Name)} {
			for _, plan := range [][]KPI{{toKPI(e.def)}, e.plan} {
				if key, _, ok := KPIResolver(plan)(strings.ToLower(name)); !ok || key != e.def.ID {
					t.Errorf("%s, plan of %d: %q resolves to %q, %v; want %s", e.kind, len(plan), name, key, ok, e.def.ID)
				}
			}
			k, _, err := parseKPILine(RACE(), e.def.Stage, e.kind, name+" | target 300", t0)
			if err != nil && strings.Contains(Explain(err).String(), "KPI") || err == nil && k.Key != e.def.ID {
				t.Errorf("%s %s: KPI line %q = %q, %v; want %s", e.kind, e.def.Stage, name, k.Key, err, e.def.ID)
			}
		}
	}
}
