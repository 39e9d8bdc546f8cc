package flows

// This file is content, not logic: the worked examples for local services.
// They follow one fictional business, Harbourside Physio, so a team can see
// how the answers of one stage feed the next. The recurring facts, kept
// consistent on purpose:
//
//   - Harbourside Physio: a physiotherapy clinic in Cork treating back and
//     neck pain, sports injuries and rehab after surgery. €75 for a first
//     assessment, €60 a follow-up; a typical course of four visits is about
//     €255. Clinical Pilates classes at €90 for a six-week block.
//   - Team: Niamh (owner and lead physio), Declan (physio, runs the Pilates
//     classes), Aoife (front desk and marketing, part-time).
//   - Today: 2,500 website visitors a month, 4% become leads (an online
//     booking started, a call-back request or a call from the site), 55% of
//     leads book an assessment, so about 55 new patients a month; 4.9 stars
//     from 180 Google reviews.
//   - Goal: 80 new patients a month by 31 March 2027 (3,300 visitors and a
//     4.5% lead rate), a Google rating of 4.8 or better, on a €4,500
//     quarterly budget.

var localProfile = kindProfile{
	Kind: KindLocal,
	Name: "Local services",
	Synonyms: []string{
		"local", "local services", "local service", "local business", "service business", "clinic", "salon",
		"plumber", "trades", "tradesperson", "restaurant", "cafe", "gym", "dentist", "physio", "practice",
		"high street", "bricks and mortar", "brick and mortar",
	},
	BusinessName: "Harbourside Physio",
	Business:     "Harbourside Physio, a three-person physiotherapy clinic in Cork charging €75 for a first assessment and €60 a follow-up",
	Team:         []string{"Niamh", "Declan", "Aoife"},
	Currency:     "€",
	Examples:     localExamples,
	KPIs: []string{
		"visitors", "followers",
		"lead-rate", "leads", "bounce-rate", "pages-per-visit", "cost-per-lead",
		"sales", "revenue", "aov", "sales-rate",
		"repeat-rate", "satisfaction", "referrals", "mentions",
	},
	Custom: []KPIDef{
		{ID: "missed-call-rate", Stage: StageAct, Name: "Missed-call rate", Unit: UnitPercent, HigherIsBetter: false,
			Measures: "Share of phone calls in the period that nobody answered, in percent; lower is better."},
		{ID: "google-rating", Stage: StageEngage, Name: "Google rating", Unit: UnitRatio, HigherIsBetter: true,
			Measures: "Average star rating of your Google Business Profile at the end of the period, out of 5."},
	},
}

var localExamples = map[string]string{
	// Plan
	"plan.business": "Harbourside Physio is a three-person physiotherapy clinic in Cork. We treat back and neck pain, sports injuries and rehab after surgery: €75 for a first assessment and €60 per follow-up, " +
		"so a typical course of four visits comes to about €255. Declan also runs clinical Pilates classes at €90 for a six-week block. " +
		"Patients are mostly adults living within 20 minutes of the clinic who book online, by phone or on their GP's advice.",
	"plan.value-proposition": "Seen within 48 hours by a chartered physio, with a plan you can follow at home and an honest estimate of how many sessions you will need. " +
		"Still relevant: reviews praise the quick appointments and the straight talking. But two newer clinics in the city now book online too, so the home plan and evening slots must lead.",
	"plan.segments": "Active people with sports injuries (runners, GAA and rugby players) bring about 45% of revenue, office workers with back and neck pain 35%, and patients recovering from surgery 20%, mostly sent by surgeons. " +
		"This quarter we focus on office workers: they come all year round and often join the Pilates classes afterwards.",
	"plan.persona": "Siobhán, 38, an accountant who sits at a desk all day, has had a stiff lower back for months. Stretching videos and a massage helped for a week at most, and she worries it is something serious. " +
		"She wants to know what is wrong and get a short routine she can fit around work, not a long string of appointments.",
	"plan.positioning": "Against CityMove, the large sports clinic in the city centre, we are €10 cheaper per session and open in the evenings, but they have parking and a far bigger Instagram following. " +
		"Against the physio inside the chain gym we win on time with each patient and lose on visibility. Our 4.9 stars from 180 Google reviews beat both.",
	"plan.swot": "Strengths: appointments within 48 hours, unhurried sessions, excellent Google reviews. " +
		"Weaknesses: no parking, a website that is slow on phones, Aoife only works part-time. " +
		"Opportunities: employers paying for staff wellbeing, more people working from home with sore backs. " +
		"Threats: a new clinic opening two streets away and health insurers paying back less per session.",
	"plan.objectives": "Be the first physio people in Cork think of for back pain: grow new patients from 55 to 80 a month by 31 March 2027. " +
		"To get there, lift website visitors from 2,500 to 3,300 a month and the share who book or ask for a call from 4% to 4.5%, with 55% of them booking as now. Keep our Google rating at 4.8 or above.",
	"plan.budget": "€4,500 for the quarter: €2,400 paid (Google search ads and Facebook ads around the clinic), €1,500 owned (a faster mobile site with a booking button on every page, and short exercise videos) " +
		"and €600 earned (free back-care talks at two local employers and a stand at a charity 10k). Aoife gives two afternoons a week and Niamh about three hours.",
	"plan.opportunity": "People searching for help with back pain nearby. 'Physio near me' and 'back pain Cork' are searched all year, we appear on page two, and our reviews are better than anyone's on page one.",
	"plan.strategy":    "Lead with quick appointments and a home plan for desk workers with back pain: climb the local map results with reviews and a faster site, and make booking from a phone take under a minute.",
	"plan.action":      "Fix the mobile site so the booking button shows on every page | Aoife | 2027-01-18 | impact 5 | effort 2",

	// Reach
	"reach.audience": "People like Siobhán search Google and Google Maps when the pain flares, ask for a good physio in local Facebook groups and listen to their GP. " +
		"Runners meet at parkrun and in the running clubs. Our booking system shows that 60% of new patients found us on Google.",
	"reach.content": "Short, calm advice: a 60-second stretch for a stiff back, what to do in the first 48 hours after a sprain, when to worry and when to wait. " +
		"Our most-watched video is Declan showing a desk stretch, and our most-read page asks whether back pain needs a scan.",
	"reach.value": "Honest advice before anyone spends money: a free ten-minute phone triage with a physio, exercise videos for the most common problems, and free back-care talks at local workplaces.",
	"reach.search-terms": "'Physio Cork', 'physio near me' and 'sports injury clinic Cork' should lead to the booking page, and for those our Google Business Profile matters most. " +
		"Symptom searches such as 'lower back pain when sitting' get more volume, so each of our five most common problems gets a page with a video and a booking link.",
	"reach.channels": "Owned: our website, the Google Business Profile, a monthly email to past patients and our Facebook page. Paid: Google search ads on 'physio Cork' and Facebook ads within 10 km of the clinic. " +
		"Earned: Google reviews, referrals from GPs and surgeons, the back-care talks and the 10k stand.",
	"reach.budget": "€800 a month of paid media: €500 on Google search and €300 on local Facebook ads. Aoife spends two afternoons a week on the site and the videos. " +
		"We need 3,300 visitors a month, up from 2,500; after four weeks we keep the channel that brings booking enquiries most cheaply.",
	"reach.opportunity": "The Google map results. Most people pick one of the top three clinics on the map; we are fifth, with more and better reviews than two of the clinics above us. A complete profile and fresh reviews could move us up.",
	"reach.strategy":    "Win the local map: complete our Google Business Profile and post to it weekly, ask every patient who finishes a course for a review, and publish a page per common problem with a booking link.",
	"reach.action":      "Complete the Google Business Profile with photos, services and evening hours | Aoife | 2027-01-14 | impact 4 | effort 1",

	// Act
	"act.journey": "A Google search, then our profile or a problem page, then 'Book online' or a phone call. Many people ring instead of booking online, and when the front desk is busy the call goes to voicemail. " +
		"4% of visitors become leads, but a quarter of the callers who reach voicemail never try again.",
	"act.preview": "Yes. The free ten-minute phone triage lets people check we can help before they pay, and each problem page shows the first two exercises of the home plan. " +
		"A free Pilates taster class every month shows what the classes are like.",
	"act.reward": "People who leave their email on a problem page get the full home-exercise plan for that problem as a PDF and a short video series, sent automatically. " +
		"Those who book within 14 days get €10 off their first assessment.",
	"act.interactive": "A 'where does it hurt?' checker: tap the body area, answer four questions, and get self-care advice or a suggestion to book, with a button to email the advice or ask for a call back. " +
		"It also tells us what people are coming in for.",
	"act.engagement": "Every problem page ends with a button to book a 45-minute assessment and links to related problems. The booking page shows the next free slots with the physio's photo, " +
		"and each video asks viewers to post questions in the comments for Declan's next answer.",
	"act.roi": "55% of leads book, and a new patient spends about €255 on a course, roughly €150 of it left after the physio's time and the room. So a lead is worth about €80, and any channel bringing enquiries for under €20 deserves more money. " +
		"To reach 80 new patients a month we need about 145 leads.",
	"act.opportunity": "Missed calls. A quarter of callers who reach voicemail never call back, which costs us around ten new patients a month at busy times, more than any ad brings in.",
	"act.strategy":    "Catch every enquiry to lift the lead rate from 4% to 4.5%: a call-back request and triage booking on every page, an automatic text to every missed call, and online booking that takes a minute on a phone.",
	"act.action":      "Turn on an automatic text with the booking link for every missed call | Niamh | 2027-01-25 | impact 5 | effort 1",

	// Convert
	"convert.barriers": "Price and doubt: €255 for a course feels like a lot when people are not sure physio will work, and many do not know whether their health insurance pays part of it. " +
		"Some fear a long course they cannot afford. 45% of people who have a triage call do not book.",
	"convert.persuasion": "At triage, tell people how many sessions they will probably need and what that costs, show which insurers pay back part of each session, and quote reviews from patients with the same problem. " +
		"The home plan shows that they will do much of the work themselves.",
	"convert.offers": "€10 off the first assessment for anyone who books within 14 days of a triage call or an exercise-plan download. A free Pilates taster for patients at their last session. " +
		"No discounts on follow-ups, so the price of a course stays clear.",
	"convert.follow-up": "A text the day after a triage call with a link to the next free slots; an email series for exercise-plan downloads adding one exercise every few days with a booking link; " +
		"and Facebook ads for people who opened the booking page but did not book.",
	"convert.pages": "The home page will show Niamh with a patient, 'Seen within 48 hours', the 4.9-star rating and a single 'Book an assessment' button. Ads will land on the matching problem page rather than the home page. " +
		"First A/B test: prices on the booking page versus after the first click.",
	"convert.channels": "Most people book online or by phone, and GPs and surgeons send some by letter. We ask every new patient how they found us at the first visit, and Aoife logs GP referrals next to online bookings each week. " +
		"Surgeons get a thank-you letter and an update on their patient.",
	"convert.opportunity": "The triage calls: 45% of people who talk to a physio do not book, mostly over price or doubt. Closing half of that gap would bring more new patients than doubling our ads.",
	"convert.strategy":    "Make the decision easy: give the likely number of sessions and the cost during triage, show insurers and reviews where people decide, and text every caller a booking link the next day.",
	"convert.action":      "Write a one-page guide to which insurers refund physio and link it from the booking page | Aoife | 2027-02-08 | impact 3 | effort 1",

	// Engage
	"engage.return-content": "A monthly email to past patients with one exercise, news from the clinic and the dates of the next Pilates block, and a short video every other week answering a patient's question.",
	"engage.satisfaction": "Our end-of-course survey averages 4.7 out of 5 and Google reviews 4.9 stars, but 30% of patients stop before their course ends, usually because the pain eased. " +
		"We will ask at discharge whether they reached their goal, and ask a would-you-recommend question every quarter.",
	"engage.reviews": "Text a direct link to our Google review page after the last session, when patients feel better, so the rating stays at 4.8 or above as reviews grow. Ask patients who recovered from a sports injury whether we may share their story, " +
		"and show short quotes on the problem pages.",
	"engage.word-of-mouth": "About 30% of new patients say a friend or colleague sent them, and 15% come from GPs. A 'bring a friend to Pilates free' card at discharge and a thank-you note to referring GPs make it easy, and countable.",
	"engage.loyalty":       "Former patients get a free check-up six months after discharge and first pick of evening slots. Anyone who misses a planned follow-up gets a call from their physio rather than a reminder text.",
	"engage.automation": "Automate appointment reminders, the review request, the six-month check-up invitation and the Pilates block announcements from our booking system. " +
		"Keep personal: the call after a missed session and the letters to GPs.",
	"engage.opportunity": "Patients who finish a course come back for new problems and send their friends, yet 30% stop early and we never hear from them again. Bringing half of them back to finish would lift reviews and referrals too.",
	"engage.strategy":    "Keep patients to the end of their course: agree a goal at the first visit, check progress at each session, call anyone who drops out, and invite those who finish to Pilates and to review us.",
	"engage.action":      "Send a six-month check-up invitation to every discharged patient | Declan | 2027-03-01 | impact 3 | effort 2",
}
