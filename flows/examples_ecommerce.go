package flows

// E-commerce and direct-to-consumer businesses follow Fernhill Coffee, the
// business of the catalogue's own examples; its recurring facts are at the
// top of race.go. This profile adds what the catalogue does not hold: the
// names people give the kind and the KPIs that suit it.

var ecommerceProfile = kindProfile{
	Kind: KindEcommerce,
	Name: "E-commerce / direct-to-consumer",
	Synonyms: []string{
		"e-commerce", "e commerce", "ecom", "dtc", "d2c", "direct to consumer", "direct-to-consumer",
		"shop", "online shop", "online store", "webshop", "web shop", "store", "retail", "retailer",
		"consumer brand", "consumer", "b2c", "products",
	},
	BusinessName: "Fernhill Coffee",
	Business:     "Fernhill Coffee, a small roastery selling speciality beans online, mostly by subscription at $15 a bag, plus a Saturday market stall",
	Team:         []string{"Ana", "Ben", "Priya"},
	Currency:     "$",
	Examples:     nil, // the catalogue's own
	KPIs: []string{
		"visitors", "value-per-visit", "followers", "shares",
		"lead-rate", "leads", "bounce-rate", "product-page-conversion",
		"sales", "revenue", "aov", "sales-rate", "visitor-to-buyer", "cost-per-acquisition",
		"repeat-rate", "clv", "satisfaction", "referrals", "unsubscribe-rate",
	},
	Custom: []KPIDef{
		{ID: "monthly-cancellation-rate", Stage: StageEngage, Name: "Monthly cancellation rate", Unit: UnitPercent, HigherIsBetter: false,
			Measures: "Share of subscribers at the start of a month who cancel during it, in percent; lower is better."},
	},
}
