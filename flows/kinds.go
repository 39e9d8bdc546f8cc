package flows

import (
	"slices"
	"strings"
	"unicode"
)

// Kind is the kind of business a plan is for. It picks the worked examples
// and KPI suggestions the coach shows, so a B2B software team is not walked
// through a coffee roastery. The values are stored with a plan, so they never
// change once shipped.
type Kind string

const (
	KindSaaS      Kind = "b2b-saas"
	KindEcommerce Kind = "ecommerce"
	KindLocal     Kind = "local-services"
	KindAgency    Kind = "b2b-services"
	KindNonprofit Kind = "non-profit"
)

// kindProfile is everything the coach knows about one kind of business: its
// names, the fictional business its examples follow, and the KPIs that suit
// it. Each lives at the top of its examples_*.go file with the business's
// recurring facts.
type kindProfile struct {
	Kind Kind
	// Name is the display name ("B2B SaaS").
	Name string
	// Synonyms are what people type after `kind`; ParseKind also accepts
	// the id and the display name.
	Synonyms []string
	// BusinessName and Business name the fictional business and describe it
	// in one line, for hints such as "For example, at Chairside…".
	BusinessName string
	Business     string
	// Team and Currency are facts the examples keep to; the tests check them.
	Team     []string
	Currency string
	// Examples holds one worked example per catalogue question ID. It is nil
	// for e-commerce, whose examples are the catalogue's own.
	Examples map[string]string
	// KPIs are the IDs of the catalogue KPIs that fit this kind; Custom are
	// the KPIs it needs that the catalogue lacks, keyed as a custom KPI of
	// that name would be (see kpiSlug).
	KPIs   []string
	Custom []KPIDef
}

// kindProfiles is in the order Kinds lists them.
var kindProfiles = []*kindProfile{&saasProfile, &ecommerceProfile, &localProfile, &agencyProfile, &nonprofitProfile}

func (k Kind) profile() (*kindProfile, bool) {
	for _, p := range kindProfiles {
		if p.Kind == k {
			return p, true
		}
	}
	return nil, false
}

// fallbackProfile is what an unknown or empty kind gets: the catalogue's own
// examples, so a plan made before kinds existed reads as it always did.
func (k Kind) fallbackProfile() *kindProfile {
	if p, ok := k.profile(); ok {
		return p
	}
	return &ecommerceProfile
}

// Kinds lists every kind of business in a stable order, for menus and for
// "try one of …" messages.
func Kinds() []Kind {
	ks := make([]Kind, len(kindProfiles))
	for i, p := range kindProfiles {
		ks[i] = p.Kind
	}
	return ks
}

// Valid reports whether k is one of the kinds Kinds lists.
func (k Kind) Valid() bool {
	_, ok := k.profile()
	return ok
}

// Name is the kind's display name, such as "B2B SaaS"; an unknown kind shows
// as itself.
func (k Kind) Name() string {
	if p, ok := k.profile(); ok {
		return p.Name
	}
	return string(k)
}

// BusinessName names the fictional business the kind's examples follow, such
// as "Chairside". An unknown kind gets the catalogue's own, Fernhill Coffee.
func (k Kind) BusinessName() string { return k.fallbackProfile().BusinessName }

// Business describes the kind's fictional business in one line, for hints
// that lead into an example. An unknown kind gets Fernhill Coffee's.
func (k Kind) Business() string { return k.fallbackProfile().Business }

// ExampleFor returns the worked example for a question that suits the kind of
// business. E-commerce, an unknown kind or a question the kind has no example
// for falls back to the catalogue's own example; a question the catalogue
// does not know and the kind has no example for gives "".
func ExampleFor(cat *Catalogue, questionID string, k Kind) string {
	if p, ok := k.profile(); ok {
		if ex, ok := p.Examples[questionID]; ok {
			return ex
		}
	}
	return catalogueExample(cat, questionID)
}

// catalogueExample finds a question's example in the catalogue, the Action
// steps included, which Catalogue.Question does not index.
func catalogueExample(cat *Catalogue, questionID string) string {
	if cat == nil {
		return ""
	}
	if q, _, _, ok := cat.Question(questionID); ok {
		return q.Example
	}
	for _, st := range cat.Stages {
		if st.WrapUp.Action.ID == questionID {
			return st.WrapUp.Action.Example
		}
	}
	return ""
}

// KindKPIs suggests the KPIs that suit a kind of business in stage order:
// per stage the fitting catalogue KPIs, then the custom ones. An unknown kind
// gets e-commerce's suggestions. Each call returns a fresh slice.
func KindKPIs(k Kind) []KPIDef {
	p := k.fallbackProfile()
	cat := RACE()
	var out []KPIDef
	for _, st := range cat.Stages {
		for _, d := range st.KPIs {
			if slices.Contains(p.KPIs, d.ID) {
				out = append(out, d)
			}
		}
		for _, d := range p.Custom {
			if d.Stage == st.ID {
				out = append(out, d)
			}
		}
	}
	return out
}

// ParseKind reads a kind as people type it after `kind`: the id
// ("b2b-saas"), the display name or a common word for it ("software", "shop",
// "clinic", "agency", "charity"), ignoring case, punctuation and plurals.
func ParseKind(s string) (Kind, bool) {
	key := kindKey(s)
	if key == "" {
		return "", false
	}
	k, ok := kindNames[key]
	return k, ok
}

// kindNames maps every normalised name ParseKind accepts to its kind.
var kindNames = func() map[string]Kind {
	m := make(map[string]Kind)
	for _, p := range kindProfiles {
		for _, name := range append([]string{string(p.Kind), p.Name}, p.Synonyms...) {
			m[kindKey(name)] = p.Kind
		}
	}
	return m
}()

func kindKey(s string) string {
	var words []string
	for _, t := range kindTokens(s) {
		if t.word != clauseBreak {
			words = append(words, t.word)
		}
	}
	return strings.Join(words, " ")
}

// DetectKind guesses the kind of business from a plan's first answer (what
// the business sells, and to whom). It returns false when unsure: when
// nothing points anywhere, or two kinds score the same.
func DetectKind(text string) (Kind, bool) {
	k, _, ok := ExplainKind(text)
	return k, ok
}

// ExplainKind is DetectKind with its reasons: the cue words that decided, so
// the coach can say "I took you for B2B SaaS (software, per seat)".
//
// The scorer is deliberately plain. Each kind has cue phrases with a weight
// (3 for words that all but name the kind, such as "software" or "charity";
// 2 for strong hints; 1 for weak ones); each cue counts once. Words that
// describe the buyer rather than the seller do not start a cue: the few words
// after "for", "serving" or "helping", or after "to" following a selling
// verb, up to punctuation or a word such as "with", so "booking software for
// dental clinics" is software, not a clinic. The best kind must score at
// least 2 and beat every other.
func ExplainKind(text string) (Kind, []string, bool) {
	toks := kindTokens(text)
	markBuyers(toks)
	scores := make(map[Kind]int)
	why := make(map[Kind][]string)
	for _, i := range matchedCues(toks) {
		c := kindCues[i]
		scores[c.kind] += c.weight
		why[c.kind] = append(why[c.kind], c.text)
	}
	var best Kind
	top, second := 0, 0
	for _, k := range Kinds() {
		switch s := scores[k]; {
		case s > top:
			best, top, second = k, s, top
		case s > second:
			second = s
		}
	}
	if top < 2 || top == second {
		return "", nil, false
	}
	return best, why[best], true
}

// clauseBreak stands for punctuation in a token stream: cues do not match
// across it, and it ends a buyer phrase.
const clauseBreak = "."

type kindToken struct {
	word  string
	buyer bool
}

// kindTokens splits text into lower-case, singular words, with clauseBreak
// for punctuation that ends a clause. Hyphens, slashes and apostrophes only
// separate words, so "e-commerce" is "e commerce" wherever it is written.
func kindTokens(s string) []kindToken {
	lower := strings.ToLower(s)
	toks := make([]kindToken, 0, len(lower)/5)
	start := -1 // where the word being read began, or -1 between words
	flush := func(end int) {
		if start >= 0 {
			toks = append(toks, kindToken{word: singular(lower[start:end])})
			start = -1
		}
	}
	for i, r := range lower {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
		case strings.ContainsRune(".,;:!?\n", r):
			flush(i)
			if len(toks) > 0 && toks[len(toks)-1].word != clauseBreak {
				toks = append(toks, kindToken{word: clauseBreak})
			}
		default:
			flush(i)
		}
	}
	flush(len(lower))
	return toks
}

// singular is a rough English singular, good enough to match cue words:
// "clinics" → "clinic", "charities" → "charity", "boxes" → "box". It leaves
// short words and words in "ss" alone ("saas" becomes "saa", but cues go
// through it too).
func singular(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "ies"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && (strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "ches") ||
		strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "sses")):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss"):
		return w[:len(w)-1]
	}
	return w
}

// buyerMarkers open a phrase about who buys: "software for dental clinics".
var buyerMarkers = map[string]bool{"for": true, "serving": true, "serve": true, "helping": true, "help": true,
	"connecting": true, "connect": true}

// sellVerbs make a following "to" a buyer marker: "we sell booking to clinics".
var sellVerbs = map[string]bool{"sell": true, "selling": true, "sold": true, "offer": true, "offering": true,
	"provide": true, "providing": true, "license": true, "licence": true, "supply": true}

// buyerEnds close a buyer phrase early: "we help clinics fill diaries with
// booking software" is about software again from "with" on.
var buyerEnds = map[string]bool{"with": true, "by": true, "through": true, "using": true, "via": true,
	"from": true, "that": true, "who": true, "which": true, "priced": true, "at": true}

// buyerSpan is how many words after a marker describe the buyer at most, so
// a long sentence without commas does not lose its ending.
const buyerSpan = 4

func markBuyers(toks []kindToken) {
	left, sold := 0, false
	for i := range toks {
		w := toks[i].word
		switch {
		case w == clauseBreak:
			left, sold = 0, false
		case buyerEnds[w]:
			left = 0
		case buyerMarkers[w], w == "to" && sold:
			left = buyerSpan
			continue
		case sellVerbs[w]:
			sold = true
		}
		if left > 0 {
			toks[i].buyer = true
			left--
		}
	}
}

// kindCue is one phrase that points to a kind. In a pattern, "*" skips up to
// kindGap words within a clause: "sell * online" matches "we sell handmade
// candles online".
type kindCue struct {
	kind   Kind
	weight int
	text   string
	words  []string
}

const kindGap = 6

// matchedCues returns, in table order, the cues that match anywhere but at
// the start of a buyer phrase. Only the cues that begin with a token's own
// word are tried at it: every answer to the business question is scored,
// and most of the table's few hundred cues share no word with it.
func matchedCues(toks []kindToken) []int {
	seen := make(map[int]bool)
	var out []int
	for i := range toks {
		if toks[i].buyer {
			continue
		}
		for _, ci := range cuesByFirst[toks[i].word] {
			if !seen[ci] && matchCue(toks, i, kindCues[ci].words) {
				seen[ci] = true
				out = append(out, ci)
			}
		}
	}
	slices.Sort(out)
	return out
}

// cuesByFirst indexes kindCues by their first word; no cue starts with a
// gap (a test checks).
var cuesByFirst = func() map[string][]int {
	m := make(map[string][]int)
	for i, c := range kindCues {
		m[c.words[0]] = append(m[c.words[0]], i)
	}
	return m
}()

func matchCue(toks []kindToken, i int, words []string) bool {
	if len(words) == 0 {
		return true
	}
	if words[0] == "*" {
		for skip := 0; skip <= kindGap && i+skip <= len(toks); skip++ {
			if matchCue(toks, i+skip, words[1:]) {
				return true
			}
			if i+skip < len(toks) && toks[i+skip].word == clauseBreak {
				return false
			}
		}
		return false
	}
	return i < len(toks) && toks[i].word == words[0] && matchCue(toks, i+1, words[1:])
}

// kindCueTable is the scorer's vocabulary: per kind and weight, cue phrases
// separated by "|". Plurals are not needed; both sides go through singular.
var kindCueTable = []struct {
	kind    Kind
	weight  int
	phrases string
}{
	{KindSaaS, 3, "software|saas|b2b software|per seat|per user|free trial|mrr|arr|api|web app|mobile app|cloud based|self serve|product led"},
	{KindSaaS, 2, "platform|marketplace|app|licence|license|plugin|churn|online booking"},
	{KindSaaS, 1, "subscription|per month|trial|tool|dashboard|integration|user|demo|onboarding|automation|crm|start up|startup"},

	{KindEcommerce, 3, "ecommerce|e commerce|online shop|online store|webshop|web shop|shopify|etsy|dtc|d2c|direct to consumer|subscription box"},
	{KindEcommerce, 2, "sell * online|shipping|we ship|retail|retailer|handmade|gift box|market stall|roastery|amazon|consumer brand"},
	{KindEcommerce, 1, "online|delivery|delivered|shop|store|order|basket|checkout|wholesale|coffee|tea|bean|candle|soap|jewellery|jewelry|clothing|apparel|fashion|skincare|cosmetic|furniture|toy|wine|chocolate|supplement|shoe|print|poster|brewery"},

	{KindLocal, 3, "clinic|salon|plumber|plumbing|electrician|physio|physiotherapy|physiotherapist|chiropractor|chiropractic|osteopath|dentist|dental practice|barber|hairdresser|spa|massage|gym|pilates|yoga studio|fitness studio|vet|veterinary|optician|pharmacy|locksmith|mechanic|garage|car wash|cleaner|cleaning company|cleaning service|gardener|landscaping|landscaper|roofer|builder|handyman|decorator|tutor|tutoring|driving school|nursery|daycare|childcare|restaurant|cafe|café|coffee shop|bakery|pub|hotel|guest house|florist|estate agent|realtor|solicitor|therapist|counsellor|counselor|personal trainer|groomer|grooming|dog walker|dog walking"},
	{KindLocal, 2, "local|patient|appointment|photographer|cleaning|walk in|near me|our area|neighbourhood|neighborhood|home visit|call out|repair|service area|high street|footfall|yoga|in person"},
	{KindLocal, 1, "treatment|session|class|booking|studio|installation|wedding"},

	{KindAgency, 3, "agency|consultancy|consulting|consultant|retainer|day rate|freelance|freelancer|design studio|creative studio|law firm|accounting firm|accountancy|bookkeeping|recruitment|recruiter|staffing|outsourcing|managed service|managed it|msp|it support|dev shop|b2b service|professional service|implementation partner|pr firm"},
	{KindAgency, 2, "software development|web design|web development|branding|copywriting|marketing service|service for business|fractional|advisory|advisor"},
	{KindAgency, 1, "client|project|proposal|hourly|workshop|training|coaching|b2b|content marketing|seo|studio"},

	{KindNonprofit, 3, "charity|charitable|nonprofit|non profit|not for profit|ngo|food bank|donation|donor|donate|volunteer|fundraising|fundraiser|501 c 3|beneficiary|gift aid|animal rescue"},
	{KindNonprofit, 2, "foundation|charity shop|donated|social enterprise|cic|homeless|homelessness|refugee|shelter|in need|young carer|funded by"},
	{KindNonprofit, 1, "trust|grant|mission|community|free of charge|campaign|appeal|church|supporter"},
}

var kindCues = func() []kindCue {
	var cues []kindCue
	for _, row := range kindCueTable {
		for _, text := range strings.Split(row.phrases, "|") {
			var words []string
			for _, f := range strings.Fields(text) {
				if f == "*" {
					words = append(words, f)
					continue
				}
				for _, t := range kindTokens(f) {
					words = append(words, t.word)
				}
			}
			cues = append(cues, kindCue{kind: row.kind, weight: row.weight, text: text, words: words})
		}
	}
	return cues
}()
