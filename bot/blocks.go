package bot

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/racebot/racebot/flows"
	"github.com/racebot/racebot/markup"
	"github.com/slack-go/slack"
)

// Action IDs of the buttons racebot renders. They are the contract between
// the Block Kit it sends and the interactions it receives.
const (
	actionDraft         = "race_draft"
	actionSkip          = "race_skip"
	actionEditStage     = "race_edit_stage"
	actionDeleteConfirm = "race_delete_confirm"
	actionDeleteCancel  = "race_delete_cancel"
	actionOpenPlan      = "race_open_plan"

	callbackEditAnswers = "race_edit_answers"
	answerActionID      = "answer"
)

// Block Kit limits. Slack rejects a message past them outright, so the
// renderer shortens instead.
const (
	maxBlocks      = 50
	maxSectionText = 3000
	maxHomeBlocks  = 100
	maxModalTitle  = 24
	maxInputLength = 3000
	maxFallback    = 3000
)

// message is a rendered Slack message: the blocks and the plain-text
// fallback Slack shows in notifications.
type message struct {
	Text   string
	Blocks []slack.Block
}

func (m message) options() []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(truncate(m.Text, maxFallback), false)}
	if len(m.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(m.Blocks...))
	}
	return opts
}

// blockIDs hands out unique block ids within one message or view; Slack
// refuses a payload with two equal ones.
type blockIDs map[string]int

func (ids blockIDs) next(base string) string {
	ids[base]++
	if n := ids[base]; n > 1 {
		return base + "-" + strconv.Itoa(n)
	}
	return base
}

// renderReplies turns a coach's replies into one thread message: progress
// notes in small print, then the question with its buttons.
func renderReplies(plan *flows.Plan, replies []flows.Reply) message {
	ids := blockIDs{}
	var blocks []slack.Block
	var text []string
	for _, r := range replies {
		rt := mrkdwn(r.Msg)
		text = append(text, rt)
		switch r.Kind {
		case flows.ReplyQuestion:
			blocks = append(blocks, sections(ids, "question", rt)...)
			blocks = append(blocks, questionButtons(ids, plan, r))
		case flows.ReplyActions:
			blocks = append(blocks, sections(ids, "actions", rt)...)
			blocks = append(blocks, slack.NewActionBlock(ids.next("actions-buttons"),
				button(actionEditStage, "Edit answers", planValue(plan, string(r.Stage)), "")))
		case flows.ReplyKPIs, flows.ReplyKPISet:
			blocks = append(blocks, sections(ids, "kpis", rt)...)
			blocks = append(blocks, slack.NewActionBlock(ids.next("kpi-buttons"),
				button(actionKPIModal, "Set a KPI", planValue(plan, string(r.Stage)), "primary")))
		case flows.ReplySaved, flows.ReplyNote, flows.ReplyActionAdded:
			blocks = append(blocks, contextBlock(ids, "note", rt))
		case flows.ReplyActionList:
			blocks = append(blocks, actionListBlocks(ids, plan, r, rt)...)
		case flows.ReplyStageDone, flows.ReplyPlanDone:
			blocks = append(blocks, sections(ids, "milestone", "🏁 "+rt)...)
		default:
			blocks = append(blocks, sections(ids, "reply", rt)...)
		}
	}
	return message{Text: truncate(strings.Join(text, "\n"), maxFallback), Blocks: capBlocks(ids, blocks, maxBlocks)}
}

func questionButtons(ids blockIDs, plan *flows.Plan, r flows.Reply) *slack.ActionBlock {
	return slack.NewActionBlock(ids.next("question-buttons"),
		button(actionDraft, "Draft with AI", planValue(plan, r.QuestionID), "primary"),
		button(actionSkip, "Skip", planValue(plan, r.QuestionID), ""),
		button(actionEditStage, "Edit answers", planValue(plan, string(r.Stage)), ""),
	)
}

// planValue packs a plan id and one more field into a button value.
func planValue(plan *flows.Plan, rest string) string {
	if plan == nil {
		return rest
	}
	return fmt.Sprintf("%d|%s", plan.ID, rest)
}

func parsePlanValue(v string) (flows.PlanID, string, bool) {
	id, rest, ok := strings.Cut(v, "|")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || n <= 0 {
		return 0, "", false
	}
	return flows.PlanID(n), rest, true
}

func button(actionID, label, value, style string) *slack.ButtonBlockElement {
	b := slack.NewButtonBlockElement(actionID, value, slack.NewTextBlockObject(slack.PlainTextType, label, false, false))
	if style != "" {
		b.Style = slack.Style(style)
	}
	return b
}

// sections splits long text over as many sections as it needs, breaking at
// line ends where it can, since one section holds at most 3000 characters.
func sections(ids blockIDs, base, text string) []slack.Block {
	var out []slack.Block
	for _, chunk := range split(text, maxSectionText) {
		out = append(out, slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, chunk, false, false), nil, nil, slack.SectionBlockOptionBlockID(ids.next(base))))
	}
	return out
}

func contextBlock(ids blockIDs, base, text string) *slack.ContextBlock {
	return slack.NewContextBlock(ids.next(base), slack.NewTextBlockObject(slack.MarkdownType, truncate(text, maxSectionText), false, false))
}

// capBlocks keeps a message within Slack's block limit, saying what was left
// out rather than letting Slack reject the whole message.
func capBlocks(ids blockIDs, blocks []slack.Block, limit int) []slack.Block {
	if len(blocks) <= limit {
		return blocks
	}
	kept := blocks[:limit-1]
	return append(kept, contextBlock(ids, "shortened", fmt.Sprintf("…and %d more blocks; `/race export` has everything.", len(blocks)-len(kept))))
}

// split cuts s into pieces of at most n runes, preferring line ends, then
// spaces, as break points.
func split(s string, n int) []string {
	var out []string
	for {
		end := runeOffset(s, n)
		if end == len(s) {
			if strings.TrimSpace(s) != "" || len(out) == 0 {
				out = append(out, s)
			}
			return out
		}
		cut := s[:end]
		at := strings.LastIndex(cut, "\n")
		if at < n/2 {
			at = strings.LastIndex(cut, " ")
		}
		if at < n/2 {
			at = len(cut)
		}
		at = entityStart(cut, at)
		out = append(out, cut[:at])
		s = strings.TrimLeft(s[at:], "\n ")
	}
}

// entityStart moves a break at in mrkdwn s back to before the entity it
// would cut: a link, mention or channel (<…>, whose label may hold spaces)
// or an escape (&amp;). In mrkdwn racebot sends, every < and & starts
// one. A break is never moved to the very start, so split always ends.
func entityStart(s string, at int) int {
	if open := strings.LastIndexByte(s[:at], '<'); open > 0 && open > strings.LastIndexByte(s[:at], '>') {
		at = open
	}
	if amp := strings.LastIndexByte(s[:at], '&'); amp > 0 && at-amp < len("&amp;") && !strings.Contains(s[amp:at], ";") {
		at = amp
	}
	return at
}

// runeOffset is where s's first n runes end, len(s) when it has no more.
func runeOffset(s string, n int) int {
	if len(s) <= n { // n bytes hold at most n runes
		return len(s)
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// truncate cuts mrkdwn s to at most n runes, marking the cut, which it
// makes before a link, mention or escape it would fall inside (see
// entityStart).
func truncate(s string, n int) string {
	end := runeOffset(s, n-1)
	if end == len(s) || runeOffset(s[end:], 1) == len(s)-end {
		return s
	}
	return s[:entityStart(s, end)] + "…"
}

// truncatePlain is truncate for plain_text, a label or a field's value:
// it has no links, mentions or escapes, and a '<' or '&' in it is the
// person's own, so the cut is not moved back to one, which could leave
// a few words of a long message in the field.
func truncatePlain(s string, n int) string {
	end := runeOffset(s, n-1)
	if end == len(s) || runeOffset(s[end:], 1) == len(s)-end {
		return s
	}
	return s[:end] + "…"
}

// headerMessage is the plan's message in the channel; its thread is where
// the coaching happens.
func headerMessage(cat *flows.Catalogue, p *flows.Plan) message {
	ids := blockIDs{}
	title := fmt.Sprintf("📋 *%s* — a RACE plan started by <@%s>", slackStyledText(p.Name), p.CreatedBy)
	body := "The coaching happens in this thread: anyone in the channel can answer. Reply `skip`, `back`, `done` or `draft` there too."
	return message{
		Text: fmt.Sprintf("RACE plan %s — answer in the thread", slackUserText(p.Name)),
		Blocks: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, title+"\n"+body, false, false), nil, nil, slack.SectionBlockOptionBlockID(ids.next("header"))),
			contextBlock(ids, "progress", progressLine(cat, p)),
		},
	}
}

// progressLine is the header's line of each stage's progress; the header
// is updated as it changes (see refreshHeader). It is built in one
// buffer: a rewrite of a header makes it three times, and a string for
// each stage was most of what the rewrite allocated outside the call to
// Slack.
func progressLine(cat *flows.Catalogue, p *flows.Plan) string {
	stages := p.Progress(cat)
	var b strings.Builder
	b.Grow(32 * len(stages)) // "◐ Convert 2/5   " is 18 bytes
	for i, sp := range stages {
		if i > 0 {
			b.WriteString("   ")
		}
		mark := "○"
		switch {
		case sp.Done:
			mark = "✓"
		case sp.Answered > 0:
			mark = "◐"
		}
		b.WriteString(mark)
		b.WriteByte(' ')
		b.WriteString(sp.Name)
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(sp.Answered))
		b.WriteByte('/')
		b.WriteString(strconv.Itoa(sp.Total))
	}
	return b.String()
}

// escape makes our own words safe inside mrkdwn: Slack reads &, < and > as
// control characters (links, mentions). People's text goes through
// slackUserText instead.
func escape(s string) string { return escaper.Replace(s) }

// escaper is built once: building a Replacer costs more than most
// replacements it makes, and escape runs for every span of every reply.
var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// confirmDeleteMessage asks before deleting, with the buttons that decide.
func confirmDeleteMessage(p *flows.Plan, question string) message {
	ids := blockIDs{}
	value := strconv.FormatInt(int64(p.ID), 10)
	confirm := button(actionDeleteConfirm, "Delete plan", value, "danger")
	confirm.Confirm = slack.NewConfirmationBlockObject(
		slack.NewTextBlockObject(slack.PlainTextType, "Delete this plan?", false, false),
		slack.NewTextBlockObject(slack.PlainTextType, truncatePlain("All answers, actions and KPIs of "+plainUserText(p.Name)+" will be gone.", 300), false, false),
		slack.NewTextBlockObject(slack.PlainTextType, "Delete", false, false),
		slack.NewTextBlockObject(slack.PlainTextType, "Keep it", false, false),
	)
	confirm.Confirm.Style = slack.StyleDanger
	return message{
		Text: question,
		Blocks: []slack.Block{
			slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, truncate(question, maxSectionText), false, false), nil, nil, slack.SectionBlockOptionBlockID(ids.next("confirm"))),
			slack.NewActionBlock(ids.next("confirm-buttons"), confirm, button(actionDeleteCancel, "Keep it", value, "")),
		},
	}
}

// editModal lets the team write or rework a whole stage's answers at once.
// Slack caps an input at 3000 characters, so a longer answer is shown, not
// offered for editing, rather than cut. The fields are plain text, so an
// answer shows as plain words, its mentions named by n; the metadata
// remembers what each field showed (see editMeta.Shown).
func editModal(cat *flows.Catalogue, p *flows.Plan, stageIdx int, n markup.Names) slack.ModalViewRequest {
	st := cat.Stages[stageIdx]
	meta := editMeta{Plan: p.ID, Stage: st.ID, Channel: p.Channel, Shown: map[string]string{}, Rev: map[string]int{}}
	ids := blockIDs{}
	blocks := []slack.Block{
		contextBlock(ids, "plan", fmt.Sprintf("*%s* · %s — %s", slackStyledText(p.Name), st.Name, st.Purpose)),
	}
	for i, q := range st.Steps() {
		current := markup.Stored(p.Answers[q.ID].Text).Plain(n)
		if len([]rune(current)) > maxInputLength {
			blocks = append(blocks, sections(ids, "long", fmt.Sprintf("*%d. %s*\nThis answer is longer than a form field can hold; change it in the thread with `edit %s %d`.", i+1, q.Text, st.ID, i+1))...)
			continue
		}
		input := slack.NewPlainTextInputBlockElement(slack.NewTextBlockObject(slack.PlainTextType, truncatePlain(flows.ExampleFor(cat, q.ID, p.Kind), 150), false, false), answerActionID)
		input.Multiline = true
		input.MaxLength = maxInputLength
		input.InitialValue = current
		// An empty field too: left as shown, it is left alone, even if
		// someone answered the question in the thread meanwhile.
		meta.Shown[q.ID] = fingerprint(current)
		meta.Rev[q.ID] = p.Answers[q.ID].Revision
		block := slack.NewInputBlock(inputBlockID(q.ID), slack.NewTextBlockObject(slack.PlainTextType, truncatePlain(fmt.Sprintf("%d. %s", i+1, q.Text), 2000), false, false),
			slack.NewTextBlockObject(slack.PlainTextType, truncatePlain(q.Hint, 2000), false, false), input)
		block.Optional = true
		blocks = append(blocks, block)
	}
	raw, _ := json.Marshal(meta)
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackEditAnswers,
		PrivateMetadata: string(raw),
		Title:           slack.NewTextBlockObject(slack.PlainTextType, truncatePlain("Edit "+st.Name+" answers", maxModalTitle), false, false),
		Submit:          slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Close:           slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks:          slack.Blocks{BlockSet: capBlocks(ids, blocks, maxHomeBlocks)},
	}
}

func inputBlockID(questionID string) string { return "answer:" + questionID }
