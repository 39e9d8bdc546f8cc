package flows

// This file is content, not logic: the worked examples for B2B SaaS. They
// follow one fictional business, Chairside, so a team can see how the answers
// of one stage feed the next. The recurring facts, kept consistent on purpose:
//
//   - Chairside: a UK start-up selling online booking and text reminders to
//     independent dental practices, as a subscription per practice location:
//     £89 a month, or £890 a year paid up front. A 14-day free trial needs no
//     card; practice groups usually ask for a demo first.
//   - Team: Rhys (co-founder, sales and demos), Hannah (co-founder, product
//     and support), Kemi (marketing, four days a week).
//   - Today: 240 paying locations (about £21,400 of monthly recurring
//     revenue), 5,000 unique visitors a month, 3% of visitors become leads
//     (a trial or a demo request), 18% of leads become paying, monthly churn
//     2%, a Net Promoter Score of 41.
//   - Goal: 320 paying locations (about £28,500 a month) by 31 March 2027 and
//     churn down to 1.5% a month, on a £9,000 quarterly budget.

var saasProfile = kindProfile{
	Kind: KindSaaS,
	Name: "B2B SaaS",
	Synonyms: []string{
		"saas", "b2b saas", "b2b-saas", "software", "b2b software", "software company", "software as a service",
		"subscription software", "tech", "tech startup", "startup", "start-up", "app", "platform",
	},
	BusinessName: "Chairside",
	Business:     "Chairside, a UK start-up selling online booking and reminders to dental practices at £89 per location a month",
	Team:         []string{"Rhys", "Hannah", "Kemi"},
	Currency:     "£",
	Examples:     saasExamples,
	KPIs: []string{
		"visitors", "value-per-visit", "followers",
		"lead-rate", "leads", "time-on-site", "bounce-rate", "cost-per-lead",
		"sales", "revenue", "aov", "sales-rate", "customer-acquisition-cost",
		"repeat-rate", "clv", "satisfaction", "referrals", "churn-rate", "time-to-first-value",
	},
	Custom: []KPIDef{
		{ID: "trial-to-paid-conversion", Stage: StageConvert, Name: "Trial-to-paid conversion", Unit: UnitPercent, HigherIsBetter: true,
			Measures: "Share of free trials started in the period that become paying accounts, in percent."},
	},
}

var saasExamples = map[string]string{
	// Plan
	"plan.business": "Chairside is booking software for independent dental practices in the UK. Patients book online at any hour and get text reminders, and the practice sees one tidy diary. " +
		"We charge £89 per practice location a month, or £890 a year paid up front, after a 14-day free trial. " +
		"Our buyers are practice managers and owners, from single-site practices to groups of up to ten sites.",
	"plan.value-proposition": "Patients book themselves at 10 pm instead of ringing at 9 am, and reminders cut missed appointments by about a third, set up in one afternoon with no IT help. " +
		"Still relevant: reception workload is the top complaint we hear. But Practiq, the big practice-management suite, now sends reminders too, so the quick setup and self-booking must lead.",
	"plan.segments": "Single-site practices make up 65% of our locations, small groups of two to ten sites 30%, and specialist clinics such as orthodontists 5%. " +
		"This quarter we focus on small groups: one deal brings four locations on average, and groups cancel half as often as single sites.",
	"plan.persona": "Claire, 44, runs operations for a group of four practices in the West Midlands. Her receptionists spend mornings on the phone, one chair in twelve sits empty because of no-shows, and each site books differently. " +
		"She needs one booking system all sites use, that patients like and that her owner can see paying for itself.",
	"plan.positioning": "Against Practiq's booking module we are cheaper (it only comes with their full suite at over £300 a site) and far quicker to set up, but they own the relationship with most large groups. " +
		"Against general booking apps at £25 a month we cost more and win on dental needs: recalls, hygienist slots, deposits for long treatments. On software review sites, customers rate us above both.",
	"plan.swot": "Strengths: setup in an afternoon, customers who like us (NPS 41), low churn among groups. " +
		"Weaknesses: a small brand, Rhys is the only person running demos, no link to Practiq yet. " +
		"Opportunities: practices short of reception staff, groups buying up single sites. " +
		"Threats: Practiq giving reminders away free and practices cutting costs.",
	"plan.objectives": "Become the booking tool practice managers recommend to each other: grow from 240 to 320 paying locations by 31 March 2027, taking monthly recurring revenue from about £21,400 to £28,500. " +
		"That needs website visitors up from 5,000 to 6,000 a month at today's 3% lead rate and 18% of leads paying. Keep the customers we win: cut monthly churn from 2% to 1.5%.",
	"plan.budget": "£9,000 for the quarter: £5,000 paid (Google search ads and LinkedIn ads aimed at practice and operations managers), £2,500 owned (a no-show calculator and case-study pages) and £1,500 earned (writing and photos for customer case studies, and a guest column in a dental trade newsletter). " +
		"Kemi works four days a week and Rhys gives five hours a week to webinars.",
	"plan.opportunity": "Small practice groups. A group that signs brings four locations and churns half as often, yet only one demo in ten is with a group, because our site and ads speak to single practices.",
	"plan.strategy":    "Win practice groups with proof from other groups: lead with the no-show saving across several sites, start each group with a pilot at one site, and roll out once the owner sees the numbers.",
	"plan.action":      "Interview three group customers about why they chose Chairside and what they save | Kemi | 2027-01-20 | impact 4 | effort 2",

	// Reach
	"reach.audience": "Practice managers like Claire swap tips in two Facebook groups for UK practice managers, read a trade newsletter, use LinkedIn for work and visit regional dental shows. " +
		"They search Google when a problem bites, often after a bad week of no-shows; 40% of our trials start from search.",
	"reach.content": "Practical numbers and stories from practices like theirs: what no-shows cost, reception rotas that work, before-and-after figures. " +
		"Our most-read post is on the true cost of a missed appointment, and a two-minute video of a patient booking on a phone brings more demo requests than any ad.",
	"reach.value": "Free help with the front desk: a no-show cost calculator, reminder text templates that keep patients' goodwill, and a monthly 30-minute webinar where practice managers compare notes on rotas and recalls.",
	"reach.search-terms": "'Dental booking software' and 'online booking for dentists' get a few hundred searches a month and pricey clicks, so they lead to the product page. " +
		"'Reduce dental no-shows', 'dental recall letter template' and 'dental appointment reminder text' get more searches with less competition; each gets a guide with the matching template.",
	"reach.channels": "Owned: the blog and templates, a monthly newsletter, our LinkedIn page and Rhys's own profile. Paid: Google search ads on booking-software terms and LinkedIn ads to practice and operations managers. " +
		"Earned: case studies customers share, a guest column in a dental trade newsletter, and mentions in the managers' Facebook groups.",
	"reach.budget": "£1,600 a month of paid media, £1,000 on Google search and £600 on LinkedIn, plus £700 for case studies over the quarter. Kemi gives two days a week to content. " +
		"We need 6,000 visitors a month, up from 5,000; after four weeks we move money to whichever channel brings trials more cheaply.",
	"reach.opportunity": "Operations managers of practice groups on LinkedIn. They are easy to target by job title there, and the one LinkedIn ad we tried brought demo requests at half the cost of search before we stopped it after a week.",
	"reach.strategy":    "Publish three case studies from group customers with their no-show figures, promote them to operations managers on LinkedIn, and send readers to a page written for groups.",
	"reach.action":      "Launch a LinkedIn campaign promoting the first group case study | Kemi | 2027-02-03 | impact 4 | effort 2",

	// Act
	"act.journey": "A Google search or a LinkedIn ad, then a guide or the no-show calculator, then the pricing page, then 'Start free trial' or 'Book a demo'. " +
		"Most visitors reach pricing and leave: only 3% become leads, and groups cannot see what several sites would cost.",
	"act.preview": "Yes. A three-minute recorded demo on the site without a form, a sandbox practice anyone can click through, and the 14-day trial with no card. " +
		"The full savings report for their own practice arrives by email.",
	"act.reward": "The no-show calculator emails a one-page report: what missed appointments cost the practice a year and what reminders would save, per site for groups. " +
		"Everyone who leaves an email also gets the reminder template pack straight away.",
	"act.interactive": "The no-show calculator: chairs, appointments a day, no-show rate and average fee go in; the yearly cost comes out, with an option to email the report to the practice owner. " +
		"Next we will build a preview of their own booking page from the practice name.",
	"act.engagement": "Every guide ends with its template and a link to the calculator. The pricing page gets a group price table and a short FAQ, " +
		"and each blog post asks practice managers to share their own no-show fixes in the comments for a monthly roundup.",
	"act.roi": "About 18% of leads become paying locations. A location pays £89 a month, roughly £850 of gross profit in its first year, so a lead is worth about £150 and any channel bringing leads for under £50 deserves more money. " +
		"To reach 320 locations we need about 180 leads a month.",
	"act.opportunity": "The pricing page. Half of our visitors reach it, yet only 3% of visitors become leads, and heat maps show group managers scrolling for multi-site prices we never show.",
	"act.strategy":    "Make the pricing page a place to start, not to leave: show group prices, put the calculator on it, offer groups a pilot, and follow up every calculator report within a day.",
	"act.action":      "Add group prices and the no-show calculator to the pricing page | Hannah | 2027-01-29 | impact 5 | effort 2",

	// Convert
	"convert.barriers": "Switching the diary feels risky: managers fear losing bookings during the move and staff resisting a new system, and groups need the owner's sign-off. " +
		"40% of trials never import their diary, and those almost never pay.",
	"convert.persuasion": "A free diary migration done by us in one evening, a named contact for the first month, and case studies from practices of their size. " +
		"For owners, the calculator report sets the yearly saving in pounds beside the price.",
	"convert.offers": "Groups that start a pilot before 28 February get the pilot site free for two months, then the annual price of £890 per location. " +
		"No discounts for single practices; the free trial is their offer, so the monthly price stays £89 for everyone.",
	"convert.follow-up": "Trial users who have not imported their diary by day 3 get an email offering a free migration slot; on day 10 Rhys calls anyone who has not taken a real booking. " +
		"Calculator users who did not start a trial see LinkedIn ads with a group case study for 30 days.",
	"convert.pages": "The home page will promise fewer no-shows and less phone time above a phone showing a patient booking, with one 'Start free trial' button. " +
		"LinkedIn ads will land on the groups page with its case studies. First A/B test for group visitors: 'Book a demo' versus 'Start free trial' as the main button.",
	"convert.channels": "Single practices mostly buy online through the trial; groups buy after a demo call and a quote. Rhys meets groups at two regional dental shows, and visitors to our stand get a trial link with a show code, " +
		"so we can count what the shows bring. The CRM records each deal's first source.",
	"convert.opportunity": "Trials that never import the diary. 40% of trials stall at that step and hardly any of them pay; getting half of them through would lift our 18% lead-to-paid rate more than any extra traffic could.",
	"convert.strategy":    "Take the risk out of switching: we move the diary for them, a person calls on day 10, and group pilots start at one site so the owner sees results before rolling out.",
	"convert.action":      "Offer a free diary migration in the trial welcome email | Hannah | 2027-01-22 | impact 5 | effort 2",

	// Engage
	"engage.return-content": "A monthly email for customers with one feature tip and the practice's own numbers (online bookings, no-shows avoided), " +
		"and a quarterly webinar where customers show other practice managers what works for them.",
	"engage.satisfaction": "Our in-app survey gives an NPS of 41 and support answers within two hours. Practices that cancel mostly do so when they are sold or join a group on another system, rarely over the product. " +
		"We will run the survey every quarter and call every detractor.",
	"engage.reviews": "Ask for a review on a software review site after a practice's 100th online booking, when the value is plain to see. " +
		"Ask happy groups for a case study with their no-show figures, and put their quotes on the pricing page.",
	"engage.word-of-mouth": "About a quarter of new practices say another practice told them about us, mostly through the managers' Facebook groups. " +
		"A referral link that gives both practices a free month turns that into a channel we can count.",
	"engage.loyalty": "Annual plans already get two months free; after a year, practices also get early access to new features and a free training session for new staff. " +
		"If a practice's online bookings drop for three weeks in a row, Hannah calls.",
	"engage.automation": "Automate the onboarding emails, the review request after the 100th booking, the monthly numbers email and a referral reminder at month three. " +
		"Keep personal: the day-10 call, calls to detractors and renewal talks with groups.",
	"engage.opportunity": "Churn. At 2% a month we lose about five locations a month, a fifth of what we win, and most of them never switched reminders on in their first month.",
	"engage.strategy":    "Make sure every new practice sends reminders within 30 days, show each practice what Chairside saved it every month, and ask the happiest ones for reviews and referrals. That is how churn gets to 1.5%.",
	"engage.action":      "Email a monthly no-shows-avoided report to every practice owner | Hannah | 2027-02-15 | impact 4 | effort 3",
}
