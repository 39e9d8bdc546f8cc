package flows

// This file is content, not logic: the worked examples for non-profits. They
// follow one fictional charity, Eastgate Community Pantry, so a team can see
// how the answers of one stage feed the next. RACE's words keep their place
// but change their meaning: revenue is donations, customers are donors and
// volunteers, a sale is a gift, and the average order is the average gift.
// The recurring facts, kept consistent on purpose:
//
//   - Eastgate Community Pantry: a food bank on the east side of Columbus,
//     Ohio, giving free groceries to about 600 households a week. Funded by
//     one-off gifts (about $60 on average), 210 monthly donors ("Pantry
//     Partners", about $20 a month each) and a few local grants; about 90
//     regular volunteers. $25 stocks a family's groceries for a week.
//   - Team: Grace (director), Luis (volunteer coordinator), Mei (fundraising
//     and communications, part-time).
//   - Today: 4,000 unique visitors a month, 3% become leads (newsletter
//     sign-ups and volunteer enquiries), 12% of leads make a first gift, 55%
//     of first-time donors give again within a year.
//   - Goal: 270 monthly donors (about $5,400 a month) and 120 regular
//     volunteers by 31 March 2027, on a $3,000 quarterly budget, with the
//     lead rate up to 3.5% and 15% of leads giving.

var nonprofitProfile = kindProfile{
	Kind: KindNonprofit,
	Name: "Non-profit",
	Synonyms: []string{
		"nonprofit", "non profit", "not for profit", "not-for-profit", "npo", "charity", "charities", "ngo",
		"foundation", "food bank", "social enterprise", "voluntary", "voluntary sector", "third sector", "501c3", "501(c)(3)",
	},
	BusinessName: "Eastgate Community Pantry",
	Business:     "Eastgate Community Pantry, a food bank in Columbus, Ohio, kept going by 210 monthly donors giving about $20 a month and 90 volunteers",
	Team:         []string{"Grace", "Luis", "Mei"},
	Currency:     "$",
	Examples:     nonprofitExamples,
	KPIs: []string{
		"visitors", "followers", "shares",
		"lead-rate", "leads", "engagement-actions",
		"sales", "revenue", "aov", "sales-rate", "visitor-to-buyer",
		"repeat-rate", "clv", "referrals", "mentions", "unsubscribe-rate",
	},
	Custom: []KPIDef{
		{ID: "cost-per-new-donor", Stage: StageConvert, Name: "Cost per new donor", Unit: UnitCurrency, HigherIsBetter: false,
			Measures: "Fundraising and marketing spend in the period divided by the first-time donors it brought in; lower is better."},
		{ID: "regular-volunteers", Stage: StageEngage, Name: "Regular volunteers", Unit: UnitCount, HigherIsBetter: true,
			Measures: "People who volunteered at least twice a month during the period."},
	},
}

var nonprofitExamples = map[string]string{
	// Plan
	"plan.business": "Eastgate Community Pantry is a food bank on the east side of Columbus, Ohio, run by three staff and about 90 regular volunteers. We give free groceries to around 600 households a week. " +
		"Our income is donations: one-off gifts averaging $60, 210 monthly donors we call Pantry Partners who give about $20 a month, and a few local grants. " +
		"In this plan our 'customers' are donors and volunteers, mostly people living within a few miles.",
	"plan.value-proposition": "Every dollar stays in the neighborhood: $25 stocks a family's groceries for a week, and donors see where their gift went in a monthly update with real numbers. " +
		"Still relevant: donors tell us local impact is why they give. But national charities now run polished local appeals, so our neighbors' stories and our openness must lead.",
	"plan.segments": "Monthly donors bring 55% of donations, one-off givers 35% (half of it in November and December) and local businesses 10% through food drives; volunteers are a group we need just as much. " +
		"This quarter we focus on turning one-off givers into monthly donors, because steady gifts carry us through the lean months after the holidays.",
	"plan.persona": "Rachel, 45, a nurse who lives two miles away, gave $50 after seeing our December appeal. She cares about hunger close to home but gets many requests to give and is not sure small gifts make a difference. " +
		"She wants to help without much effort and to trust that her money is well used.",
	"plan.positioning": "For donors' attention, the regional food bank network has TV appeals and ten times our email list; we have neighbors who know us by name. " +
		"Against church pantries nearby we offer more choice and evening hours but are less visible. Our public monthly report, which neither publishes, is our edge on trust.",
	"plan.swot": "Strengths: trusted locally, loyal volunteers, 90 cents of every dollar goes to food. " +
		"Weaknesses: a tiny marketing budget, an old website with a clumsy donation form, nobody full-time on fundraising. " +
		"Opportunities: employers giving staff paid volunteering days, growing interest in monthly giving. " +
		"Threats: rising food prices, need growing faster than donations, donors tired of appeals after the holidays.",
	"plan.objectives": "Make sure no neighbor is turned away in the lean months: grow monthly donors from 210 to 270 by 31 March 2027, raising regular giving from about $4,200 to $5,400 a month, and grow regular volunteers from 90 to 120. " +
		"To get there, lift the share of visitors who sign up from 3% to 3.5% and the share of sign-ups who give from 12% to 15%.",
	"plan.budget": "$3,000 for the quarter, mostly from a local grant: $1,200 paid (Facebook ads and boosted volunteer posts), $1,200 owned (a new donation page and email templates) " +
		"and $600 earned (printing for talks at local employers and a thank-you evening for volunteers). Free search ads come from a nonprofit ad grant. Mei gives three days a week, Grace a few hours.",
	"plan.opportunity": "December's one-off givers. The holiday appeal brought over 300 first-time donors, only a handful have given again, and we have never asked any of them to give monthly.",
	"plan.strategy":    "Turn holiday givers into Pantry Partners: thank them with what their gift did, show what a steady monthly gift makes possible, and make monthly giving the easy default on every donation page.",
	"plan.action":      "Send every holiday donor a thank-you email with the December impact numbers | Mei | 2027-01-15 | impact 4 | effort 1",

	// Reach
	"reach.audience": "Our neighbors are on Facebook, above all in local community groups and on Nextdoor, read local news sites, and meet at churches, schools and the farmers' market. " +
		"Employers nearby run volunteering programs. Analytics shows half our visits come from Facebook and a quarter from Google.",
	"reach.content": "Real stories, shared with permission: a volunteer's first shift, a family we helped, a week in numbers. " +
		"Our most-shared post showed the empty shelves the week before Thanksgiving and the full ones after; our most-visited page is the one for volunteers.",
	"reach.value": "Ways to help that fit busy lives: volunteer shifts booked online in two minutes, a food-drive kit for schools and offices, and a monthly update showing what came in and where it went.",
	"reach.search-terms": "'Food bank Columbus', 'donate food near me' and 'volunteer opportunities Columbus' should lead to the donate and volunteer pages, and the free grant ads cover them. " +
		"'Where to donate food' and 'food drive ideas' get more searches, so each gets its own page with drop-off times and the food-drive kit.",
	"reach.channels": "Owned: the website, our monthly email, the Facebook page and Instagram. Paid: Facebook ads to people within five miles, and free search ads from the nonprofit ad grant. " +
		"Earned: local news stories, volunteers and donors sharing our posts, and talks at local employers.",
	"reach.budget": "$400 a month of Facebook ads and boosted posts, plus $600 of printing for employer talks over the quarter; search ads cost nothing through the grant. Mei spends a day a week on content. " +
		"We aim for 4,000 visitors a month through the lean season; after a month the money goes wherever sign-ups come cheapest.",
	"reach.opportunity": "Employer volunteering days. Four large employers within three miles give staff paid days to volunteer, and we host none of them. Each team day brings 10 to 15 people who see our work up close, often give, and sometimes stay on: a quick route to 120 regular volunteers.",
	"reach.strategy":    "Become the place local companies bring their volunteering days: a simple team-day offer, talks at the four nearest employers, and stories from every day shared by the company and by us.",
	"reach.action":      "Contact the four nearest employers about team volunteering days | Luis | 2027-01-22 | impact 4 | effort 2",

	// Act
	"act.journey": "A Facebook post or a search, then a story or the volunteer page, then a newsletter sign-up or the volunteer form. Only 3% of visitors leave their details: " +
		"the volunteer form asks for twelve fields and a phone call, and the donation page sits apart from both.",
	"act.preview": "Yes. Anyone can come to a free open evening to see the pantry at work, and the volunteer page has a short video of a shift. " +
		"The monthly impact summary is public on the site; the full report with every number comes by email.",
	"act.reward": "People who sign up get a welcome email with a short video from a volunteer and a shopping list of the foods we need most. " +
		"New volunteers get their first shift booked with a buddy and a pantry T-shirt.",
	"act.interactive": "A 'what your gift does' slider: pick an amount and see how many family grocery boxes it fills each month, with a button to give monthly or email the result to yourself. " +
		"A shift finder by day and time comes next.",
	"act.engagement": "Every story ends with two next steps, give or volunteer, and a link to a related story. The volunteer page lists this week's open shifts, " +
		"and each post asks readers to say in the comments why they give.",
	"act.roi": "About 12% of sign-ups make a first gift, and a new donor gives about $150 in their first year, so a sign-up is worth about $18; any channel bringing sign-ups for under $5 deserves more money. " +
		"Volunteers count too: a regular one gives about 12 hours a month.",
	"act.opportunity": "The volunteer page is our most visited, yet half of the people who start the form give up before the end, and volunteers are twice as likely to donate as anyone else.",
	"act.strategy":    "Make the first step small, to lift sign-ups from 3% to 3.5% of visitors: a two-minute volunteer sign-up with a shift picker, the gift slider on every story, and a welcome email series inviting every new contact to give or help.",
	"act.action":      "Replace the volunteer form with a two-minute online shift sign-up | Luis | 2027-02-05 | impact 5 | effort 3",

	// Convert
	"convert.barriers": "Donors doubt that small gifts matter and worry about overheads, and our donation form is long and awkward on phones: 58% of people who open it leave without giving. " +
		"Monthly giving hides behind a small tick box.",
	"convert.persuasion": "Show what each amount buys in groceries, say plainly that 90 cents of every dollar goes to food, put quotes from volunteers and donors next to the form, " +
		"and publish the monthly numbers so anyone can check.",
	"convert.offers": "A local business matches every new monthly gift for its first three months if it starts before 31 March. New monthly donors get a handwritten thank-you card and an invitation to visit. " +
		"No prize draws or gimmicks; the match and an honest thank-you are enough.",
	"convert.follow-up": "An email a day later to anyone who opened the donation form but did not finish, with a shorter link; a three-email welcome series for new sign-ups ending with the monthly-giving ask; " +
		"Facebook ads to visitors of the donation page; and a thank-you call from Grace to each new monthly donor.",
	"convert.pages": "The home page will show volunteers packing boxes, 'Feed a neighbor this week', and one 'Give monthly' button with one-off giving below it. Ads will land on a page per appeal instead of the home page. " +
		"First A/B test: monthly giving selected by default versus one-off.",
	"convert.channels": "Most gifts come online, but many arrive as cash or checks at events, through churches and through workplace giving. " +
		"Event donors get a card with a short web address so we can count the online gifts they make later, and Mei logs offline gifts each week next to online ones.",
	"convert.opportunity": "The donation form. 58% of people who open it leave without giving, and monthly giving is a small tick box at the bottom. Fixing the form is cheaper than finding new donors, and it is how 12% of sign-ups giving becomes 15%.",
	"convert.strategy":    "Make monthly giving the easy choice: a short form that works on phones with monthly selected, the match and what a gift buys right beside it, and a gentle follow-up for anyone who does not finish.",
	"convert.action":      "Rebuild the donation form with five fields and monthly giving selected | Mei | 2027-02-01 | impact 5 | effort 3",

	// Engage
	"engage.return-content": "A monthly update with the numbers (households served, meals provided, volunteer hours), one story and the list of what we need in the coming weeks, plus a short video from a shift every other week.",
	"engage.satisfaction": "We do not measure it yet. We know 55% of first-time donors give again within a year, and volunteers who leave say shifts were badly organized. " +
		"We will send donors and volunteers a two-question survey each quarter and read every answer.",
	"engage.reviews": "Ask volunteers after their fifth shift for a Google review or a short quote, and ask families we help, with care and consent, whether we may share their story without names. " +
		"Invite donors to post why they give with #EastgateNeighbors and feature some in the monthly update.",
	"engage.word-of-mouth": "A third of our volunteers came because a friend brought them, but we do not track it for donors. " +
		"A bring-a-friend shift each month and a sharing link in every thank-you email make it something we can count.",
	"engage.loyalty": "Monthly donors get a yearly thank-you evening at the pantry and a note on their anniversary with what their gifts made possible. Volunteers get their name on the wall at 50 shifts. " +
		"Anyone whose monthly gift fails gets a call from Mei, not just an automatic reminder.",
	"engage.automation": "Automate the thank-you receipt, the welcome series, the anniversary note, emails about failed payments and shift reminders. " +
		"Keep personal: Grace's call to new monthly donors, Mei's call when a gift fails, and the thank-you evening.",
	"engage.opportunity": "Donor retention. Only 55% of first-time donors give again, and each Pantry Partner we lose takes about $240 a year with them. Keeping ten more a quarter costs less than finding ten new ones, and gets us closer to 270.",
	"engage.strategy":    "Show every donor what they made possible: a personal thank-you within two days, a monthly update with real numbers, an anniversary note, and a quick call when a payment fails.",
	"engage.action":      "Set up the anniversary email for monthly donors | Mei | 2027-03-05 | impact 3 | effort 2",
}
