package flows

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// CapabilityRating is one rating of a team's capability, 1 to 5 for each
// stage. Ratings belong to a team's channel rather than a plan: the team
// outlives its quarterly plans, and the next rating compares with the last
// one whatever plan it was made under.
type CapabilityRating struct {
	ID      int64
	Team    string
	Channel string
	// Plan is the plan the rating was made under, 0 when it is gone.
	Plan   PlanID
	By     string
	At     time.Time
	Scores map[StageID]int
}

// CapabilityLevels are the rungs of the rubric with words: 2 and 4 lie
// between them.
var CapabilityLevels = []int{1, 3, 5}

// Rubric says what a stage looks like at 1, 3 and 5, short enough for a
// form's option.
type Rubric struct {
	Stage StageID
	Name  string
	// Levels are what 1, 3 and 5 look like, in that order.
	Levels [3]string
}

// rubrics are in our own words: what a team does, not what it intends.
var rubrics = map[StageID][3]string{
	StagePlan: {
		"No written plan: work follows whatever comes up that week.",
		"A plan with goals exists and is looked at now and then.",
		"SMART objectives, checked each quarter against data and rivals.",
	},
	StageReach: {
		"Posts go out when someone has time; traffic sources are a mystery.",
		"A few channels run on a rhythm, and visits are tracked by source.",
		"Channels are chosen by cost per visit; search, social and PR combine.",
	},
	StageAct: {
		"Visitors arrive and leave: nothing invites them to sign up.",
		"Sign-up forms and a lead magnet work; the lead rate is known.",
		"Journeys are tested per segment; every lead is captured and scored.",
	},
	StageConvert: {
		"Leads wait; nobody follows them up on a schedule.",
		"Follow-up emails and offers exist; the sales rate is measured.",
		"Tests, remarketing and automation lift conversion month by month.",
	},
	StageEngage: {
		"After the sale, customers hear nothing more from us.",
		"A newsletter and review requests go out; repeat buying is tracked.",
		"Loyalty, referrals and lifetime value are run as targets.",
	},
}

// Rubrics lists the rubric of each stage of the catalogue, in order. A
// stage the built-in rubric does not know gets a general one.
func Rubrics(cat *Catalogue) []Rubric {
	out := make([]Rubric, 0, len(cat.Stages))
	for _, st := range cat.Stages {
		levels, ok := rubrics[st.ID]
		if !ok {
			levels = [3]string{"Not done yet, or only by chance.", "Done regularly, and measured.", "Done well, measured and improved on purpose."}
		}
		out = append(out, Rubric{Stage: st.ID, Name: st.Name, Levels: levels})
	}
	return out
}

var capabilityPairRe = regexp.MustCompile(`([A-Za-z]+)\s*[:=]?\s*(\d+)`)

// ParseCapability reads ratings for every stage: "plan 3, reach 2, act 3,
// convert 2, engage 4", or five numbers in stage order ("3 2 3 2 4").
func ParseCapability(cat *Catalogue, text string) (map[StageID]int, error) {
	text = strings.TrimSpace(text)
	example := Code("plan 3, reach 2, act 3, convert 2, engage 4")
	if text == "" {
		return nil, userErr(ErrBadInput, "Rate each stage from 1 to 5, like %s.", example)
	}
	scores := map[StageID]int{}
	set := func(st StageID, name string, n int) error {
		if n < 1 || n > 5 {
			return userErr(ErrBadInput, "Ratings run from 1 to 5; %s got %d.", name, n)
		}
		if _, dup := scores[st]; dup {
			return userErr(ErrBadInput, "%s is rated twice; give each stage one rating.", name)
		}
		scores[st] = n
		return nil
	}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '/' })
	allNumbers := len(fields) > 0
	for _, f := range fields {
		if _, err := strconv.Atoi(f); err != nil {
			allNumbers = false
		}
	}
	if allNumbers {
		if len(fields) != len(cat.Stages) {
			return nil, userErr(ErrBadInput, "Give %d ratings, one per stage in order (%s), or name them like %s.", len(cat.Stages), strings.Join(cat.StageNames(), ", "), example)
		}
		for i, f := range fields {
			n, _ := strconv.Atoi(f)
			if err := set(cat.Stages[i].ID, cat.Stages[i].Name, n); err != nil {
				return nil, err
			}
		}
		return scores, nil
	}
	pairs := capabilityPairRe.FindAllStringSubmatch(text, -1)
	if len(pairs) == 0 {
		return nil, userErr(ErrBadInput, "I couldn't read ratings there; write them like %s.", example)
	}
	rest := capabilityPairRe.ReplaceAllString(text, "")
	if strings.Trim(rest, " ,;/") != "" {
		return nil, userErr(ErrBadInput, "I couldn't read %q; write the ratings like %s.", User(strings.TrimSpace(strings.Trim(rest, " ,;/"))), example)
	}
	for _, m := range pairs {
		i, ok := cat.Stage(m[1])
		if !ok {
			return nil, userErr(ErrBadInput, "There is no stage called %q. Rate %s.", User(m[1]), strings.Join(cat.StageNames(), ", "))
		}
		n, _ := strconv.Atoi(m[2])
		if err := set(cat.Stages[i].ID, cat.Stages[i].Name, n); err != nil {
			return nil, err
		}
	}
	var missing []string
	for _, st := range cat.Stages {
		if _, ok := scores[st.ID]; !ok {
			missing = append(missing, st.Name)
		}
	}
	if len(missing) > 0 {
		return nil, userErr(ErrBadInput, "Rate every stage; %s has no rating yet.", andList(missing))
	}
	return scores, nil
}

// ParseRating reads one stage's rating, as the terminal asks for it.
func ParseRating(text string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < 1 || n > 5 {
		return 0, userErr(ErrBadInput, "Type a number from 1 to 5.")
	}
	return n, nil
}

// ScoreFormText introduces the capability rating: what the scale means and
// that the rating is of today, not of the plan.
func ScoreFormText(cat *Catalogue, last *CapabilityRating) Msg {
	var b msgBuilder
	b.printf("%s Rate the team in each stage from 1 to 5 as it works today, not as planned.", Text("Capability check.").Strong())
	if last != nil {
		b.printf(" The last rating was on %s.", last.At.Format("2 Jan 2006"))
	}
	return b.msg()
}

// RubricText is one stage's rubric on one line, with the last rating
// when there is one, as the terminal asks for it.
func RubricText(r Rubric, last int) Msg {
	var b msgBuilder
	b.printf("%s — 1: %s 3: %s 5: %s", Text(r.Name).Strong(), r.Levels[0], r.Levels[1], r.Levels[2])
	if last > 0 {
		b.printf(" (last time %d)", last)
	}
	return b.msg()
}

// CapabilityText says how the team rated itself, against the last rating,
// and which stage to invest in next: the lowest, tied to the plan's open
// actions there, so the advice lands on work already planned. Ties go to
// the stage that gained least since last time, then to the earlier stage.
func CapabilityText(cat *Catalogue, p *Plan, cur CapabilityRating, prev *CapabilityRating) Msg {
	var b msgBuilder
	b.printf("%s rated by %s", Text("Capability").Strong(), Person(cur.By))
	if prev != nil {
		b.printf(", against %s", prev.At.Format("2 Jan 2006"))
	}
	b.add(":")
	best := -1
	var bestScore, bestDelta int
	for i, st := range cat.Stages {
		n := cur.Scores[st.ID]
		b.printf("\n• %s %d", st.Name, n)
		delta := 0
		if prev != nil {
			if was, ok := prev.Scores[st.ID]; ok {
				delta = n - was
				switch {
				case delta > 0:
					b.printf(" (was %d, +%d)", was, delta)
				case delta < 0:
					b.printf(" (was %d, −%d)", was, -delta)
				default:
					b.printf(" (was %d)", was)
				}
			}
		}
		if best < 0 || n < bestScore || (n == bestScore && delta < bestDelta) {
			best, bestScore, bestDelta = i, n, delta
		}
	}
	if best < 0 {
		return b.msg()
	}
	st := cat.Stages[best]
	was := "first rating"
	if prev != nil {
		if w, ok := prev.Scores[st.ID]; ok {
			was = fmt.Sprintf("was %d", w)
		}
	}
	b.printf("\n%s %s is lowest (%d, %s): ", Text("Invest next:").Strong(), st.Name, bestScore, was)
	var open []Msg
	for _, a := range p.Actions {
		if a.Stage == st.ID && !a.Closed() {
			open = append(open, Sayf("%q", User(a.Text)))
		}
	}
	switch {
	case len(open) == 0:
		b.printf("no open action there yet; plan one when you next work through it (%s).", Cmd("stage "+strings.ToLower(st.Name)))
	case len(open) > 3:
		b.printf("%s there — %s and %d more.", plural(len(open), "open action"), Join(open[:3], ", "), len(open)-3)
	default:
		b.printf("%s there — %s.", plural(len(open), "open action"), Join(open, ", "))
	}
	return b.msg()
}

// CapabilityReminderText is the quarter's reminder to rate the team,
// carried by its first check-in.
func CapabilityReminderText() Msg {
	return Sayf("%s How has the team grown? Rate each stage from 1 to 5 — a minute's work — and I'll say which one to invest in next (or type %s).", Text("A new quarter has begun.").Strong(), Cmd("score"))
}

// ScoreButtonText goes with a button that opens the capability form,
// where the form can't open at once.
func ScoreButtonText() Msg {
	return Sayf("Rate the team's capability per stage with the form below; %s tells what 1, 3 and 5 mean in each.", Text("Rate capability").Strong())
}
