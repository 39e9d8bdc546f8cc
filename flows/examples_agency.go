package flows

// This file is content, not logic: the worked examples for B2B services and
// agencies. They follow one fictional business, Tallwood Studio, so a team can
// see how the answers of one stage feed the next. The recurring facts, kept
// consistent on purpose:
//
//   - Tallwood Studio: a content agency in Austin writing articles, customer
//     case studies and newsletters for B2B software companies in HR tech and
//     fintech. Monthly retainers from $4,500 (four in-depth articles and one
//     case study); new clients often start with a $3,000 content strategy
//     workshop.
//   - Team: Marcus (founder, strategy and sales), Leah (editorial lead), Sam
//     (designer, runs the website and LinkedIn).
//   - Today: 12 retainer clients (about $54,000 a month), 1,800 unique
//     visitors a month, 1.5% become leads (a guide download, a newsletter
//     sign-up or a call request), 5% of leads become retainer clients,
//     clients stay 18 months on average, three in four came by referral.
//   - Goal: 18 retainer clients (about $81,000 a month) by 31 March 2027,
//     with 2,600 visitors a month and a 1.8% lead rate, on a $12,000
//     quarterly budget.

var agencyProfile = kindProfile{
	Kind: KindAgency,
	Name: "B2B services / agency",
	Synonyms: []string{
		"b2b services", "b2b service", "b2b-services", "agency", "agencies", "consultancy", "consulting", "consultant",
		"services", "professional services", "studio", "freelance", "freelancer", "marketing agency", "design agency",
		"creative agency", "law firm", "accountancy", "accounting firm",
	},
	BusinessName: "Tallwood Studio",
	Business:     "Tallwood Studio, a three-person content agency in Austin writing for B2B software companies on retainers from $4,500 a month",
	Team:         []string{"Marcus", "Leah", "Sam"},
	Currency:     "$",
	Examples:     agencyExamples,
	KPIs: []string{
		"visitors", "followers", "shares",
		"lead-rate", "leads", "time-on-site", "cost-per-lead",
		"sales", "revenue", "profit", "sales-rate", "customer-acquisition-cost",
		"repeat-rate", "clv", "satisfaction", "referrals", "mentions",
	},
	Custom: []KPIDef{
		{ID: "proposal-win-rate", Stage: StageConvert, Name: "Proposal win rate", Unit: UnitPercent, HigherIsBetter: true,
			Measures: "Share of proposals sent in the period that the client signed, in percent."},
	},
}

var agencyExamples = map[string]string{
	// Plan
	"plan.business": "Tallwood Studio is a three-person content agency in Austin. We write articles, customer case studies and newsletters for B2B software companies in HR tech and fintech, " +
		"sold as monthly retainers from $4,500 (four in-depth articles and one case study a month). New clients often start with a one-off content strategy workshop at $3,000. " +
		"Our buyers are heads of marketing at companies of 20 to 200 people with no writer in-house.",
	"plan.value-proposition": "Content written by people who understand how software is bought, that sales teams actually send to prospects: every piece answers a question buyers ask on sales calls. " +
		"Still relevant: clients renew because their sales teams use our work. But AI tools have made plain blog posts cheap, so interviews, case studies and effect on deals must lead, not word counts.",
	"plan.segments": "HR-tech companies bring 60% of revenue, fintech 30% and other software firms 10%. This quarter we focus on fintech: deals are larger, " +
		"compliance reviews make in-house writing slow, and our two fintech clients have stayed over two years.",
	"plan.persona": "Dana, 36, is head of marketing at a 60-person fintech start-up: a team of one, with a board asking for pipeline. Freelancers she tried wrote generic posts that compliance rewrote and sales ignored. " +
		"She needs content that sounds expert, passes review quickly and lets her show what marketing adds to deals.",
	"plan.positioning": "Against Northpeak, a 40-person content agency, we cost about a third less per article and clients work with the writers directly, but they win on brand and also run paid campaigns. " +
		"Against freelancers we cost more and win on strategy and reliability. Our clients stay 18 months on average, longer than anyone we know of.",
	"plan.swot": "Strengths: senior writers, case studies sales teams use, clients who stay. " +
		"Weaknesses: Marcus is the only seller, three in four clients came through referrals, and our own site gets little traffic. " +
		"Opportunities: fintechs trimming in-house teams but still needing content, and demand for proof that content moves pipeline. " +
		"Threats: AI tools pushing down prices for simple content, and clients freezing budgets.",
	"plan.objectives": "Become the content partner fintech marketers recommend: grow from 12 to 18 retainer clients by 31 March 2027, taking monthly recurring revenue from about $54,000 to $81,000. " +
		"To get there, lift website visitors from 1,800 to 2,600 a month and the share who become leads from 1.5% to 1.8%, keep 5% of leads signing, and lose no more than one client in the quarter.",
	"plan.budget": "$12,000 for the quarter: $5,000 paid (LinkedIn ads and sponsoring a fintech marketing newsletter), $4,000 owned (a benchmark report on fintech content and a rebuilt case-study section) " +
		"and $3,000 earned (travel for talks at two meetups and editing clips from podcast guest spots). Marcus gives a day a week to our own marketing, Leah half a day.",
	"plan.opportunity": "We depend on referrals: three in four clients came through someone we know, so growth stalls whenever referrals slow. Fintech marketers have no trusted benchmark of what content works, and we could publish one.",
	"plan.strategy":    "Become known for proof rather than promises: publish a fintech content benchmark, use it to start conversations on LinkedIn and at meetups, and turn readers into workshop bookings.",
	"plan.action":      "Survey 40 fintech marketers for the content benchmark | Leah | 2027-01-29 | impact 4 | effort 3",

	// Reach
	"reach.audience": "Fintech marketers like Dana are on LinkedIn every day, read two or three marketing newsletters, listen to B2B marketing podcasts and join Slack communities for software marketers. " +
		"They meet at marketing meetups in Austin and New York. Analytics shows 55% of our site visits come from LinkedIn.",
	"reach.content": "Real numbers and teardowns: what a case study that sales uses looks like, before-and-after edits, benchmarks. " +
		"Marcus's most-liked LinkedIn post took apart a fintech landing page, and our most-visited page is a case study template.",
	"reach.value": "Useful proof before they hire anyone: a free case-study interview guide, a monthly teardown of one fintech company's content, and a yearly benchmark of the content fintech buyers trust.",
	"reach.search-terms": "'B2B content agency' and 'fintech content marketing agency' are searched rarely but by buyers, so they lead to the services page. " +
		"'Case study template', 'B2B case study examples' and 'fintech content marketing' have more volume; each gets a thorough guide that links to the workshop.",
	"reach.channels": "Owned: the website and guides, a fortnightly newsletter and the LinkedIn profiles of Marcus and Leah. Paid: LinkedIn ads to heads of marketing at fintechs and one sponsored issue a month of a fintech marketing newsletter. " +
		"Earned: meetup talks, podcast guest spots and clients crediting us on case studies.",
	"reach.budget": "About $1,650 a month of paid media: $1,100 on LinkedIn ads and $550 for one newsletter sponsorship. Marcus posts on LinkedIn three times a week and Sam designs the posts. " +
		"We need 2,600 visitors a month, up from 1,800; after six weeks we keep whichever brings benchmark downloads more cheaply.",
	"reach.opportunity": "Marcus's LinkedIn posts. His teardowns reach ten times as many people as our company page and bring most of our site visits, yet he posts twice a month and no post links to anything that captures a lead.",
	"reach.strategy":    "Make Marcus's LinkedIn the engine: a teardown every week, each leading to the benchmark or a guide, with paid promotion for the two best posts each month.",
	"reach.action":      "Publish a weekly fintech content teardown on Marcus's LinkedIn | Marcus | 2027-01-12 | impact 4 | effort 2",

	// Act
	"act.journey": "A LinkedIn post or a search, then a guide or a case study, then the services page, then 'Book a call'. That last step is a big leap: " +
		"only 1.5% of visitors become leads, because a sales call is the only way to talk to us and our guides ask for nothing.",
	"act.preview": "Yes. Each guide shows full sample pages from client work (with permission), and the benchmark summary is free to read. " +
		"The full benchmark with figures by company size comes by email, and a 20-minute content review call is free.",
	"act.reward": "An email address gets the full benchmark and the case-study interview guide at once, sent automatically. " +
		"Newsletter readers see each teardown first and vote on which company we review next.",
	"act.interactive": "A content scorecard: ten questions about a company's content, how sales uses it and how reviews work, ending in a score against the benchmark and three suggestions, emailed as a PDF. " +
		"Those with low scores are invited to a free review call.",
	"act.engagement": "Every guide ends with a related case study and the scorecard. Case studies put the client's results first with a quote from their sales team, " +
		"and each teardown asks readers to nominate the next company in the comments.",
	"act.roi": "About 5% of leads become retainer clients, and a retainer brings roughly $4,500 a month for 18 months at a 40% margin, around $32,000 of profit; so a lead is worth about $1,600. " +
		"Any channel that brings leads for under $200 deserves more budget. Reaching 18 clients takes about 45 leads a month.",
	"act.opportunity": "Our guides. Readers spend five minutes on them and come back for more, yet none of them asks for an email, so the only leads we get are the rare people ready to book a sales call.",
	"act.strategy":    "Offer a step between reading and a sales call, to take the lead rate from 1.5% to 1.8%: the benchmark and the scorecard in exchange for an email, then a free review call for those who score low.",
	"act.action":      "Add the content scorecard to the three most-read guides | Sam | 2027-02-12 | impact 4 | effort 3",

	// Convert
	"convert.barriers": "A retainer is a big commitment: leads fear we will not understand their product or compliance rules, and heads of marketing must justify $4,500 a month to a CFO. " +
		"Most deals we lose stall after the proposal, waiting for a budget decision.",
	"convert.persuasion": "Show fintech samples that passed compliance, name the writer who will work with them, and give a three-month plan tied to questions their sales team hears. " +
		"For the CFO, a one-page case: what a single deal won with our content is worth next to the retainer.",
	"convert.offers": "The $3,000 workshop fee is credited against the first month of a retainer signed within 30 days. No discounts on retainers; " +
		"a three-month first term instead of twelve lowers the risk without lowering the price.",
	"convert.follow-up": "After a benchmark download, an email series with one finding and one teardown a week; a personal note from Marcus to everyone who completes the scorecard; " +
		"LinkedIn ads to visitors of the services page; and a check-in a week after every proposal.",
	"convert.pages": "The home page will lead with one client's result and a quote from their head of sales, with a single 'Book a content review' button. LinkedIn ads will land on a fintech page, not the home page. " +
		"First A/B test: the workshop price shown on the page versus 'ask us'.",
	"convert.channels": "Retainers are signed after calls and a proposal, never online. Meetups and podcasts lead to LinkedIn connections, and those to site visits. " +
		"Every deal in our CRM records its first touch, and we ask each new client what made them get in touch, so talks and referrals are counted next to the website.",
	"convert.opportunity": "Proposals that stall. Half of our proposals wait more than a month for a budget decision, and a third of those are never signed. Shortening that wait is worth more than extra traffic.",
	"convert.strategy":    "Make the first yes smaller: lead with the workshop, credit it against a retainer, offer a three-month first term, and give the marketer a one-page business case for the CFO.",
	"convert.action":      "Write a one-page CFO business case to send with every proposal | Marcus | 2027-01-26 | impact 4 | effort 1",

	// Engage
	"engage.return-content": "A monthly results report for every client showing how sales used each piece and which pages brought leads, " +
		"and our fortnightly newsletter with a teardown and a finding from the benchmark.",
	"engage.satisfaction": "Clients stay 18 months on average, and a quarterly review call asks for a score out of 10: the last round averaged 8.6. " +
		"The two clients who left in 2026 said they could not show what content did for pipeline, so every report will now show it.",
	"engage.reviews": "Ask for a testimonial, and later a case study, after the first piece a client's sales team uses to win a deal, while the value is fresh. " +
		"Ask clients to credit Tallwood on the work we write, and post short client quotes on the services page and LinkedIn.",
	"engage.word-of-mouth": "Three in four of our clients came through a referral, yet we have never asked for one. We will ask at every quarterly review, " +
		"and send a thank-you gift and a donation to a charity of the referrer's choice when a referral signs.",
	"engage.loyalty": "Clients past 12 months get a free half-day strategy session each year and first call on new services. " +
		"If a client's sales team stops using our content for two months, Leah calls to rework the plan before renewal comes up.",
	"engage.automation": "Automate the monthly results report, the newsletter, the reminder to check in after a proposal and the booking of quarterly reviews. " +
		"Keep personal: the review calls, referral requests and every renewal talk, which Marcus leads.",
	"engage.opportunity": "Referrals. Most of our clients came from one, but they arrive by luck. Asking every happy client at the right moment could bring two or three extra retainers a quarter, a good part of the way to 18 clients and $81,000 a month.",
	"engage.strategy":    "Make referrals a habit: ask at each quarterly review when scores are high, help clients look good with results they can share inside their company, and thank every referrer.",
	"engage.action":      "Add a referral question to every quarterly review call | Leah | 2027-02-26 | impact 4 | effort 1",
}
