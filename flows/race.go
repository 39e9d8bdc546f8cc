package flows

// This file is content, not logic: the built-in RACE catalogue. Every example
// answer follows one fictional business, Fernhill Coffee, so a team can see
// how the answers of one stage feed the next. The recurring facts, kept
// consistent on purpose:
//
//   - Fernhill Coffee: a small roastery selling speciality beans online,
//     mostly by subscription ($15 per 250 g bag, a typical box of two bags
//     every four weeks, so about $30 an order), plus a Saturday market stall.
//   - Team: Ana (co-founder, marketing), Ben (co-founder, roasting and
//     operations), Priya (part-time content and social).
//   - Today: 350 active subscribers, 9,000 unique visitors a month, 1.8% of
//     visitors become leads, about 20% of leads subscribe, 4.8-star reviews.
//   - Goal: 550 subscribers by 31 March 2027 on a $6,000 quarterly budget.
//
// Fernhill stands for e-commerce. The other kinds of business follow their
// own fictional business in examples_*.go; ExampleFor picks by kind.

// RACE returns the built-in RACE catalogue: Plan, Reach, Act, Convert and
// Engage with their guiding questions, wrap-ups and KPIs. Each call builds a
// fresh catalogue, so a caller that changes its copy cannot affect another.
func RACE() *Catalogue {
	c, err := NewCatalogue(raceStages())
	if err != nil {
		// The content is fixed at compile time and a test builds it, so this
		// only fires if someone breaks the catalogue and skips the tests.
		panic("flows: built-in RACE catalogue is invalid: " + err.Error())
	}
	return c
}

func raceStages() []Stage {
	return []Stage{planStage(), reachStage(), actStage(), convertStage(), engageStage()}
}

// actionHint is shared by every stage's Action step because the reply format
// is the same everywhere; only the example changes.
const actionHint = "One action per reply: what | owner | due date | impact 1-5 | effort 1-5; dates such as 2027-02-15, 15 Mar or end of February all work. " +
	"Start with quick wins, the high-impact, low-effort actions, and leave big projects for later."

func planStage() Stage {
	return Stage{
		ID:      StagePlan,
		Name:    "Plan",
		Purpose: "Lay the groundwork: what you offer and to whom, where you stand against competitors, what you want to achieve and with what budget.",
		Questions: []Question{
			{
				ID:      "plan.business",
				Text:    "What does the business sell, and to whom?",
				Hint:    "Name your main products or services, their price range and who buys them. Say where the sales happen: online, in person or both.",
				Example: "Fernhill Coffee is a two-person roastery selling freshly roasted speciality beans, mostly as a subscription: $15 per 250 g bag, usually two bags every four weeks. Our buyers are home brewers who own a grinder and a pour-over or espresso setup. We also sell one-off bags and gift boxes online and run a stall at the Saturday farmers' market.",
			},
			{
				ID:      "plan.value-proposition",
				Text:    "What is your value proposition, and is it still relevant today?",
				Hint:    "In one or two sentences, say why a customer picks you over the alternatives. Then check it against what customers say now and what competitors now offer.",
				Example: "Beans roasted to order and at your door within 48 hours, with a brewing recipe written for the kit you own. Still relevant: reviews keep praising freshness. But supermarkets now tell origin stories too, so freshness and brewing help must lead our message, not exotic farms.",
			},
			{
				ID:      "plan.segments",
				Text:    "Which customer segments do you serve, and which one matters most this period?",
				Hint:    "List two or three groups with their rough share of sales, then pick the one to focus on and say why.",
				Example: "Home-brew enthusiasts bring about 70% of revenue, gift buyers 20% (mostly in December) and small offices 10%, a share that is growing. This quarter we focus on enthusiasts, because they stay subscribed the longest.",
			},
			{
				ID:      "plan.persona",
				Text:    "Who is your typical customer, and what problem do you solve for them?",
				Hint:    "Describe one persona with a name, situation, goals and frustrations, and state the problem you solve in their own words.",
				Example: "Maya, 34, a designer who works from home, bought a burr grinder last year. She wants café-quality coffee in her kitchen, but supermarket beans taste flat and she never knows which roast suits her brewer. We send fresh beans picked for her method, with a recipe card that takes out the guesswork.",
			},
			{
				ID:      "plan.positioning",
				Text:    "How do you position yourself against your main competitors, and how do you compare?",
				Hint:    "Name two or three competitors and benchmark them on price, offer and online presence (traffic, followers, reviews). Say plainly where you win and where you lose.",
				Example: "Against Beanline, the big national subscription, we are $2 dearer per bag but roast to order; they have ten times our Instagram following and rank far above us in search. Against the supermarket we win on freshness and advice and lose on convenience. Our 4.8-star review average beats both.",
			},
			{
				ID:      "plan.swot",
				Text:    "What are your strengths, weaknesses, opportunities and threats?",
				Hint:    "One or two honest points per quadrant. Strengths and weaknesses are inside the business; opportunities and threats come from the market.",
				Example: "Strengths: freshness, loyal subscribers, great reviews. Weaknesses: tiny ad budget, weak search rankings, nobody full-time on marketing. Opportunities: more people brewing espresso at home, local offices wanting deliveries. Threats: rising green-coffee prices and big subscription brands discounting hard.",
			},
			{
				ID:      "plan.objectives",
				Text:    "What do you want to achieve, stated as a vision with a measurement?",
				Hint:    "One to three objectives, each pairing a direction with a number and a deadline. They should line up with the KPIs you will track in the later stages.",
				Example: "Become the go-to subscription for home brewers in our region: grow active subscribers from 350 to 550 by 31 March 2027. Stay profitable while growing: keep the average order above $30 and monthly cancellations under 5%.",
			},
			{
				ID:      "plan.budget",
				Text:    "What is your budget, and how will you split it across paid, owned and earned media?",
				Hint:    "Give the total for the period, the share for paid (ads), owned (site, email, social) and earned (press, reviews, creators), and the team time available.",
				Example: "$6,000 for the quarter: $3,000 paid (Instagram and search ads), $2,000 owned (a brew-guide section on the site and new email templates) and $1,000 earned (sample bags for coffee creators). On top of that, Priya gives a day a week and Ana about five hours.",
			},
		},
		WrapUp: WrapUp{
			Opportunity: Question{
				ID:      "plan.opportunity",
				Text:    "What is the biggest gap or opportunity your planning has revealed?",
				Hint:    "Pick the one finding from your SWOT or benchmarking with the largest payoff, and say why it matters now. If two compete, prefer the one you can act on with less effort.",
				Example: "Our offer is strong but too few people find it. Subscribers stay 14 months on average, yet we get about a third of Beanline's traffic, so more reach for the same offer is the biggest win.",
			},
			Strategy: Question{
				ID:      "plan.strategy",
				Text:    "What overall strategy will you follow to seize it?",
				Hint:    "One or two sentences on the approach: which segment, which message, which channels. Leave the task list for the actions.",
				Example: "Lead with freshness and brewing help for home-brew enthusiasts. Build a brew-guide hub that ranks in search, and turn its readers into subscribers with a first-box offer.",
			},
			Action: Question{
				ID:      "plan.action",
				Text:    "Which actions will you take first to put the plan in motion?",
				Hint:    actionHint,
				Example: "Write the value proposition on one page and share it with the team | Ana | 2027-01-15 | impact 4 | effort 1",
			},
		},
	}
}

func reachStage() Stage {
	return Stage{
		ID:      StageReach,
		Name:    "Reach",
		Purpose: "Build awareness and bring the right people to your website and social channels, through paid, owned and earned media.",
		Questions: []Question{
			{
				ID:      "reach.audience",
				Text:    "Where does your audience spend its time, online and offline?",
				Hint:    "Name the actual sites, social networks, communities, publications and places. Back it with evidence where you can: analytics, surveys, what customers tell you.",
				Example: "People like Maya read coffee forums on Reddit, watch brewing videos on YouTube, follow home-barista accounts on Instagram and search Google before buying. Locally they come to the Saturday market. Analytics shows 45% of our visits already come from Instagram and search.",
			},
			{
				ID:      "reach.content",
				Text:    "What kind of content does your audience like to see?",
				Hint:    "Formats and topics that already get attention where your audience is. Look at what your own best posts and pages, and your competitors', have in common.",
				Example: "Short recipe videos, side-by-side taste tests and honest gear advice. Our best Instagram reel ever was 30 seconds on fixing a sour pour-over, and our most-read page is the grind-size chart.",
			},
			{
				ID:      "reach.value",
				Text:    "What value can you bring them before they ever buy?",
				Hint:    "Free, useful help that is related to what you sell (advice, tools, entertainment), and why it beats what they can find elsewhere.",
				Example: "Practical brewing help: a free recipe and grind setting for every bean we sell, a monthly live 'ask the roaster' session, and tasting notes in plain words instead of jargon.",
			},
			{
				ID:      "reach.search-terms",
				Text:    "Which search terms do they use, and how will you match your pages to them?",
				Hint:    "List the phrases people type, with rough monthly volumes if you have them, and the page that should answer each one.",
				Example: "'Coffee subscription' and 'fresh coffee beans delivered' should lead to the subscription page. How-to searches such as 'pour over ratio' and 'espresso grind size' have more volume and less competition, so each gets its own brew-guide page.",
			},
			{
				ID:      "reach.channels",
				Text:    "Which paid, owned and earned channels will carry your message?",
				Hint:    "Name the channels of each type and the job each one does. Owned media you control, paid media you buy, earned media is what others publish or share about you.",
				Example: "Owned: the brew guides on our site, the newsletter and our Instagram account. Paid: promoted Instagram reels and search ads on 'coffee subscription'. Earned: sample bags for five home-barista creators and a guest post on a local food blog.",
			},
			{
				ID:      "reach.budget",
				Text:    "How much money and time will you spend on promotion this period?",
				Hint:    "An amount per channel per month plus team hours. Say how you will shift money once you see which channel brings visitors most cheaply.",
				Example: "$1,000 a month of paid media: $600 on Instagram and $400 on search ads, plus $1,000 of sample bags over the quarter. Priya spends a day a week on content. After four weeks we move spend to the channel with the lowest cost per visit.",
			},
		},
		WrapUp: WrapUp{
			Opportunity: Question{
				ID:      "reach.opportunity",
				Text:    "What is your biggest opportunity to reach more of the right people?",
				Hint:    "One gap with a clear payoff, such as a channel where your audience is and you are not, or searches you do not rank for. Favour gaps you can close quickly.",
				Example: "How-to searches. Phrases like 'pour over ratio' get thousands of searches a month and we rank for none of them, even though our grind-size chart already earns links from forums.",
			},
			Strategy: Question{
				ID:      "reach.strategy",
				Text:    "What strategy will you use to seize it?",
				Hint:    "The approach in one or two sentences: what you will publish or promote, where, and how it leads people towards you.",
				Example: "Build a hub of ten brew guides aimed at how-to searches, each linking to a bean that suits the method, and give the two best performers a small Instagram boost.",
			},
			Action: Question{
				ID:      "reach.action",
				Text:    "Which actions will you take to grow your reach?",
				Hint:    actionHint,
				Example: "Send sample bags to five home-barista creators | Ana | 2027-01-31 | impact 4 | effort 1",
			},
		},
		KPIs: []KPIDef{
			{ID: "visitors", Stage: StageReach, Name: "Unique visitors", Unit: UnitCount, HigherIsBetter: true, Per: PeriodMonth,
				Measures: "How many different people visited your website in the period, as counted by your analytics tool."},
			{ID: "value-per-visit", Stage: StageReach, Name: "Value per visit", Unit: UnitCurrency, HigherIsBetter: true,
				Measures: "What an average visit is worth: revenue in the period divided by the number of visits."},
			{ID: "followers", Stage: StageReach, Name: "Fans and followers", Unit: UnitCount, HigherIsBetter: true,
				Measures: "Total fans and followers across your social media accounts at the end of the period."},
			{ID: "shares", Stage: StageReach, Name: "Content shares", Unit: UnitCount, HigherIsBetter: true, Per: PeriodMonth,
				Measures: "How many times people shared your posts, articles and videos in the period."},
		},
	}
}

func actStage() Stage {
	return Stage{
		ID:      StageAct,
		Name:    "Act",
		Purpose: "Get visitors to interact with you, and turn that attention into leads through useful content, tools and a clear journey.",
		Questions: []Question{
			{
				ID:      "act.journey",
				Text:    "What path does a visitor take from the first visit to becoming a lead?",
				Hint:    "List the steps and pages in order, the moment you ask for contact details, and where people drop off today.",
				Example: "Instagram reel, then a brew guide, then a pop-up offering the recipe card for their brewer in exchange for an email address. Analytics shows most readers leave before they scroll down to the sign-up box, so we ask too late.",
			},
			{
				ID:      "act.preview",
				Text:    "Could you offer a preview of your content or product?",
				Hint:    "A taste that shows your value without giving everything away, such as a free chapter, a trial or a sample, and what the visitor does to get the rest.",
				Example: "Yes. The first steps of each brew guide are open to all, and the full recipe card with timings for their brewer arrives by email. At the market stall we will sell a $5 tasting flight of three 50 g bags.",
			},
			{
				ID:      "act.reward",
				Text:    "How will you reward visitors for leaving their contact details?",
				Hint:    "A clear, immediate benefit worth an email address (a discount, a guide, a tool, early access) and how it is delivered without manual work.",
				Example: "10% off the first subscription box plus the printable recipe card, sent automatically the moment they sign up. Stall visitors get the same by scanning a QR code on the counter.",
			},
			{
				ID:      "act.interactive",
				Text:    "Which interactive tool could hold visitors' attention and help them decide?",
				Hint:    "A quiz, calculator, configurator or chat that gives a personal answer, and the point where it can capture a lead.",
				Example: "A 'find your coffee' quiz: five questions about brewer, taste and milk, ending in a bean recommendation with the option to email the result to yourself. It captures leads and tells us what people like.",
			},
			{
				ID:      "act.engagement",
				Text:    "What will make visitors stay longer, see more pages and interact with you?",
				Hint:    "Think of bounce rate, pages per visit and product pages: clear next steps, links between related pages and reasons to comment or share.",
				Example: "Every guide will end with 'beans for this method' and a link to the next guide. Product pages get a 30-second brew video and a short FAQ, and each guide asks readers to share their own recipe in the comments.",
			},
			{
				ID:      "act.roi",
				Text:    "How will you calculate the return on what you invest in this stage?",
				Hint:    "Work out what a lead is worth (share of leads who buy times the profit from a new customer) and compare it with what each channel pays per lead.",
				Example: "About 20% of email leads subscribe within 60 days, and a new subscriber brings roughly $110 of gross profit in the first year, so a lead is worth about $22. Any channel that delivers leads for under $10 is worth scaling.",
			},
		},
		WrapUp: WrapUp{
			Opportunity: Question{
				ID:      "act.opportunity",
				Text:    "Where is the biggest chance to turn more visitors into leads?",
				Hint:    "The step of the journey where most people drop off or where a small change would move your lead rate most. Use numbers if you have them.",
				Example: "Only 1.8% of visitors become leads, yet readers spend over three minutes on our guides. People like the content; we just never ask at the right moment.",
			},
			Strategy: Question{
				ID:      "act.strategy",
				Text:    "What strategy will you use to seize it?",
				Hint:    "The approach in one or two sentences: what you offer, at which moment, and how you follow up.",
				Example: "Offer the recipe card and the coffee quiz when interest peaks, halfway through a guide and on exit, and follow up with a welcome email carrying the first-box discount.",
			},
			Action: Question{
				ID:      "act.action",
				Text:    "Which actions will you take to win more leads?",
				Hint:    actionHint,
				Example: "Add the recipe-card sign-up box halfway down every brew guide | Priya | 2027-02-10 | impact 4 | effort 1",
			},
		},
		KPIs: []KPIDef{
			{ID: "lead-rate", Stage: StageAct, Name: "Lead conversion rate", Unit: UnitPercent, HigherIsBetter: true,
				Measures: "Share of visitors who become leads by signing up, leaving contact details or asking for information, in percent."},
			{ID: "leads", Stage: StageAct, Name: "Leads", Unit: UnitCount, HigherIsBetter: true, Per: PeriodMonth,
				Measures: "Number of new leads (people who left contact details) in the period."},
			{ID: "time-on-site", Stage: StageAct, Name: "Time on site", Unit: UnitDuration, HigherIsBetter: true,
				Measures: "Average time a visitor spends on your website in one visit."},
			{ID: "engagement-actions", Stage: StageAct, Name: "Shares, comments and likes", Unit: UnitCount, HigherIsBetter: true, Per: PeriodMonth,
				Measures: "Total shares, comments and likes on your site and social content in the period."},
			{ID: "bounce-rate", Stage: StageAct, Name: "Bounce rate", Unit: UnitPercent, HigherIsBetter: false,
				Measures: "Share of visits that end after a single page, in percent; lower is better."},
			{ID: "pages-per-visit", Stage: StageAct, Name: "Pages per visit", Unit: UnitRatio, HigherIsBetter: true,
				Measures: "Average number of pages viewed in one visit."},
			{ID: "product-page-conversion", Stage: StageAct, Name: "Product page conversion", Unit: UnitPercent, HigherIsBetter: true,
				Measures: "Share of product page visits that end with an add to basket or a sign-up, in percent."},
			{ID: "cost-per-lead", Stage: StageAct, Name: "Cost per lead", Unit: UnitCurrency, HigherIsBetter: false,
				Measures: "Marketing spend in the period divided by the new leads it brought in; lower is better."},
		},
	}
}

func convertStage() Stage {
	return Stage{
		ID:      StageConvert,
		Name:    "Convert",
		Purpose: "Turn leads into paying customers, online and offline, and see your marketing investment pay back.",
		Questions: []Question{
			{
				ID:      "convert.barriers",
				Text:    "What stops a lead from taking the final step and buying?",
				Hint:    "Put yourself in the lead's shoes: price, doubt, trust, delivery, a clumsy checkout. Back it with evidence such as abandoned baskets, survey answers or support questions.",
				Example: "Leads fear being locked into a subscription they cannot pause, and shipping costs only appear at checkout. 62% of started checkouts are abandoned at the delivery step.",
			},
			{
				ID:      "convert.persuasion",
				Text:    "How will you convince leads that they need your product?",
				Hint:    "For each barrier, the argument or proof that answers it: guarantees, reviews, demonstrations, comparisons.",
				Example: "Put 'pause or cancel in one click' next to every subscribe button, show our 4.8-star reviews on product pages, and promise a free replacement bag if a roast is not to their taste.",
			},
			{
				ID:      "convert.offers",
				Text:    "Which offer will tip a lead into buying without teaching customers to wait for discounts?",
				Hint:    "A specific offer with a deadline or condition, who gets it, and how you keep your margin.",
				Example: "Half price on the first box for newsletter subscribers who start a subscription within 14 days of signing up. No site-wide sales; the discount is earned back by the second box.",
			},
			{
				ID:      "convert.follow-up",
				Text:    "How will remarketing and automation follow up leads who did not buy?",
				Hint:    "The triggers (abandoned basket, finished quiz, downloaded guide), the message and its timing, and the channel: email, ads or a personal call.",
				Example: "An abandoned-basket email after two hours and again after two days; a three-email welcome series for new leads that ends with the half-price offer; Instagram remarketing ads for quiz takers who have not subscribed.",
			},
			{
				ID:      "convert.pages",
				Text:    "How will you improve your home page and landing pages so more visitors buy?",
				Hint:    "What the first screen must say and show, one clear call to action per page, and the first thing you will A/B test.",
				Example: "The home page hero will show a fresh bag, the 48-hour promise and a single 'Start your subscription' button. Ads will land on a page per brewing method instead of the home page. First A/B test: shipping cost shown on the product page versus at checkout.",
			},
			{
				ID:      "convert.channels",
				Text:    "How do your online and offline sales feed each other, and how will you count both?",
				Hint:    "Where people buy (web shop, phone, store, events), how one channel leads to the other, and how you will track sales that one influences in the other.",
				Example: "Some market regulars later subscribe online, and some web visitors taste at the stall first. Stall customers get the code MARKET10 so we can count the online orders the stall brings, and Ben logs stall sales each week next to web orders.",
			},
		},
		WrapUp: WrapUp{
			Opportunity: Question{
				ID:      "convert.opportunity",
				Text:    "Where are you losing the most sales, or where is the biggest chance to win more?",
				Hint:    "The step or barrier that costs the most orders, ideally with a number. Fixing a leak often pays more than buying extra traffic.",
				Example: "The checkout: 62% of people who start it drop out at the delivery step. Fixing that would add more sales than any amount of extra traffic we can afford.",
			},
			Strategy: Question{
				ID:      "convert.strategy",
				Text:    "What strategy will you use to seize it?",
				Hint:    "The approach in one or two sentences: which barriers you remove, with what proof or offer, and how you follow up.",
				Example: "Remove surprises and risk: show shipping and the one-click pause up front, put reviews where people decide, and follow up everyone who starts a checkout but does not finish.",
			},
			Action: Question{
				ID:      "convert.action",
				Text:    "Which actions will you take to convert more leads into customers?",
				Hint:    actionHint,
				Example: "Refresh the home page hero | Ana | 2027-01-31 | impact 4 | effort 2",
			},
		},
		KPIs: []KPIDef{
			{ID: "sales", Stage: StageConvert, Name: "Sales (online and offline)", Unit: UnitCount, HigherIsBetter: true, Per: PeriodMonth,
				Measures: "Number of orders in the period, web shop and offline channels (store, phone, events) together."},
			{ID: "revenue", Stage: StageConvert, Name: "Revenue", Unit: UnitCurrency, HigherIsBetter: true, Per: PeriodMonth,
				Measures: "Total value of sales in the period, online and offline, before costs."},
			{ID: "profit", Stage: StageConvert, Name: "Profit", Unit: UnitCurrency, HigherIsBetter: true, Per: PeriodMonth,
				Measures: "Revenue in the period minus the cost of the goods sold and the marketing spend."},
			{ID: "aov", Stage: StageConvert, Name: "Average order value", Unit: UnitCurrency, HigherIsBetter: true,
				Measures: "Revenue divided by the number of orders in the period."},
			{ID: "sales-rate", Stage: StageConvert, Name: "Lead-to-sale conversion rate", Unit: UnitPercent, HigherIsBetter: true,
				Measures: "Share of leads who go on to buy, in percent. This is the sales rate of the funnel check: visitors × lead rate × sales rate × average order value."},
			{ID: "visitor-to-buyer", Stage: StageConvert, Name: "Visitor-to-buyer conversion", Unit: UnitPercent, HigherIsBetter: true,
				Measures: "Share of visitors who buy, in percent: buyers in the period divided by unique visitors."},
			{ID: "cost-per-acquisition", Stage: StageConvert, Name: "Cost per acquisition", Unit: UnitCurrency, HigherIsBetter: false,
				Measures: "Ad spend on a campaign or channel divided by the purchases or sign-ups it brought in (CPA); lower is better."},
			{ID: "customer-acquisition-cost", Stage: StageConvert, Name: "Customer acquisition cost", Unit: UnitCurrency, HigherIsBetter: false,
				Measures: "Everything spent on marketing and selling in the period divided by the new customers won in it (CAC); lower is better."},
		},
	}
}

func engageStage() Stage {
	return Stage{
		ID:      StageEngage,
		Name:    "Engage",
		Purpose: "Keep customers coming back and turn the happy ones into advocates who bring in others.",
		Questions: []Question{
			{
				ID:      "engage.return-content",
				Text:    "Which content will bring customers and visitors back again and again?",
				Hint:    "Regular, useful content tied to how people use what you sell (newsletters, series, updates, a community) and how often it appears.",
				Example: "A monthly 'fresh from the roaster' email with the story of the new beans and a recipe for each, and a short video every other week answering a subscriber's brewing question.",
			},
			{
				ID:      "engage.satisfaction",
				Text:    "Does your product truly meet your customers' needs, and how do you know?",
				Hint:    "Evidence of satisfaction such as survey scores, reviews, complaints and reasons for leaving, and how often you will ask.",
				Example: "Our after-delivery survey averages 4.6 out of 5, and the top reason for cancelling is 'too much coffee', not taste. So we will add a one-bag plan and ask a would-you-recommend question every quarter.",
			},
			{
				ID:      "engage.reviews",
				Text:    "How will you collect more reviews, testimonials and user-generated content?",
				Hint:    "When and how you ask, what makes it effortless for the customer, and where the content will be shown.",
				Example: "Ask for a review ten days after the third delivery, once they know us. Invite photos of their morning brew tagged #FernhillMorning and feature the best ones each week on product pages and Instagram.",
			},
			{
				ID:      "engage.word-of-mouth",
				Text:    "How often do customers recommend you, and how can word of mouth bring in more sales?",
				Hint:    "What you know today (referral codes, 'how did you hear about us?'), then how you will make recommending easy and worth it.",
				Example: "About 15% of new subscribers say a friend sent them, but we cannot track it. A 'give a bag, get a bag' link in every delivery email turns that into a channel we can count and grow.",
			},
			{
				ID:      "engage.loyalty",
				Text:    "How will you reward loyalty and keep customers buying again?",
				Hint:    "Perks, a loyalty scheme or personal touches, aimed at the moments when customers are most likely to drift away.",
				Example: "Every sixth bag is free for subscribers, and at twelve months they receive a limited-release bean. Anyone who skips two deliveries gets a personal note from Ben asking what would suit them better.",
			},
			{
				ID:      "engage.automation",
				Text:    "Which parts of staying in touch can you automate, and which should stay personal?",
				Hint:    "Triggered messages (welcome, anniversary, reorder, win-back) versus human moments, and the tool that will send them.",
				Example: "Automate the review request, a referral reminder after the fifth box and a win-back email 30 days after cancelling, all from our email tool. Keep personal: answers to brewing questions and Ben's note to customers who skip.",
			},
		},
		WrapUp: WrapUp{
			Opportunity: Question{
				ID:      "engage.opportunity",
				Text:    "What is the biggest chance to keep customers longer or turn them into advocates?",
				Hint:    "Where customers drift away or where their goodwill goes unused, ideally with a number. Prefer the chance you can act on soonest.",
				Example: "Customers who stay past three boxes stay well over a year, yet 30% of new subscribers cancel before their third box, mostly because the amount of coffee does not fit.",
			},
			Strategy: Question{
				ID:      "engage.strategy",
				Text:    "What strategy will you use to seize it?",
				Hint:    "The approach in one or two sentences: which customers, which moments, and what you do for them.",
				Example: "Make the first 90 days great: help new subscribers choose the right amount, check in personally after the first box, then turn happy customers into reviewers and referrers.",
			},
			Action: Question{
				ID:      "engage.action",
				Text:    "Which actions will you take to keep customers coming back?",
				Hint:    actionHint,
				Example: "Add a one-bag-a-month plan to the shop | Ben | 2027-02-01 | impact 4 | effort 2",
			},
		},
		KPIs: []KPIDef{
			{ID: "repeat-rate", Stage: StageEngage, Name: "Repeat purchase rate", Unit: UnitPercent, HigherIsBetter: true,
				Measures: "Share of customers who buy again (a second order or a renewed subscription) in the period, in percent."},
			{ID: "clv", Stage: StageEngage, Name: "Customer lifetime value", Unit: UnitCurrency, HigherIsBetter: true,
				Measures: "Expected net profit from one customer over the whole relationship, for example average order value × orders per year × years as a customer × margin."},
			{ID: "satisfaction", Stage: StageEngage, Name: "Customer satisfaction", Unit: UnitRatio, HigherIsBetter: true,
				Measures: "Average score from your satisfaction survey, such as a 1-5 CSAT score or a Net Promoter Score; keep the same scale over time."},
			{ID: "referrals", Stage: StageEngage, Name: "Advocacy (referrals and testimonials)", Unit: UnitCount, HigherIsBetter: true, Per: PeriodMonth,
				Measures: "Number of new customers referred by existing ones, plus new testimonials received, in the period."},
			{ID: "repeat-visitors", Stage: StageEngage, Name: "Repeat visitors", Unit: UnitCount, HigherIsBetter: true, Per: PeriodMonth,
				Measures: "Number of visitors who came back to your website more than once in the period."},
			{ID: "mentions", Stage: StageEngage, Name: "Brand mentions", Unit: UnitCount, HigherIsBetter: true, Per: PeriodMonth,
				Measures: "Times your brand was mentioned on social media, in reviews, blogs and the press in the period."},
			{ID: "churn-rate", Stage: StageEngage, Name: "Churn rate", Unit: UnitPercent, HigherIsBetter: false,
				Measures: "Share of customers, subscribers or paying accounts at the start of the period who leave during it, in percent; lower is better."},
			{ID: "unsubscribe-rate", Stage: StageEngage, Name: "Unsubscribe rate", Unit: UnitPercent, HigherIsBetter: false,
				Measures: "Share of the people an email went to who unsubscribed from it, averaged over the period's sends, in percent; lower is better."},
			{ID: "time-to-first-value", Stage: StageEngage, Name: "Time to first value", Unit: UnitDuration, HigherIsBetter: false,
				Measures: "How long a new customer takes from buying or signing up to a first real result, such as a first booking taken or a first order used up, in days or hours; lower is better."},
		},
	}
}
