package slackfake

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Block Kit limits, as Slack documents them in its block and element
// reference (api.slack.com/reference/block-kit): Slack refuses a message or
// view past any of them with invalid_blocks, so the app must shorten first.
// Lengths are counted in characters.
const (
	limitMessageBlocks = 50   // blocks in a message
	limitViewBlocks    = 100  // blocks in a modal or Home tab
	limitSectionText   = 3000 // a section's text
	limitSectionField  = 2000 // each of a section's fields
	limitSectionFields = 10   // fields in a section
	limitHeaderText    = 150  // a header block's plain_text
	limitContextItems  = 10   // elements in a context block
	limitActionItems   = 25   // elements in an actions block
	limitTextObject    = 3000 // any other text object, a context's included
	limitButtonText    = 75   // a button's label
	limitButtonValue   = 2000 // a button's value
	limitOptionText    = 75   // an option's label
	limitOptionValue   = 150  // an option's value
	limitOptions       = 100  // options in a select
	limitInputValue    = 3000 // a plain_text_input's initial_value and max_length
	limitPlaceholder   = 150  // an element's placeholder
	limitLabel         = 2000 // an input block's label and hint
	limitID            = 255  // block_id and action_id
)

// textObject is a plain_text or mrkdwn composition object.
type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type optionObject struct {
	Text  *textObject `json:"text"`
	Value string      `json:"value"`
}

type element struct {
	Type         string         `json:"type"`
	ActionID     string         `json:"action_id"`
	Text         *textObject    `json:"text"`
	Value        string         `json:"value"`
	Placeholder  *textObject    `json:"placeholder"`
	InitialValue string         `json:"initial_value"`
	MaxLength    int            `json:"max_length"`
	Options      []optionObject `json:"options"`
	OptionGroups []struct {
		Label   *textObject    `json:"label"`
		Options []optionObject `json:"options"`
	} `json:"option_groups"`
}

type block struct {
	Type      string            `json:"type"`
	BlockID   string            `json:"block_id"`
	Text      *textObject       `json:"text"`
	Fields    []textObject      `json:"fields"`
	Accessory *element          `json:"accessory"`
	Elements  []json.RawMessage `json:"elements"`
	Element   *element          `json:"element"`
	Label     *textObject       `json:"label"`
	Hint      *textObject       `json:"hint"`
}

// checkBlocks reports the first Block Kit limit the blocks break, or nil.
func checkBlocks(raw json.RawMessage, maxBlocks int) error {
	var blocks []block
	if err := json.Unmarshal(raw, &blocks); err != nil {
		return err
	}
	if len(blocks) > maxBlocks {
		return fmt.Errorf("%d blocks, more than %d", len(blocks), maxBlocks)
	}
	for i, b := range blocks {
		if err := b.check(); err != nil {
			return fmt.Errorf("block %d (%s): %w", i, b.Type, err)
		}
	}
	return nil
}

func (b block) check() error {
	if n := utf8.RuneCountInString(b.BlockID); n > limitID {
		return fmt.Errorf("block_id of %d characters", n)
	}
	switch b.Type {
	case "section":
		if err := checkText(b.Text, limitSectionText, "text"); err != nil {
			return err
		}
		if len(b.Fields) > limitSectionFields {
			return fmt.Errorf("%d fields", len(b.Fields))
		}
		for i := range b.Fields {
			if err := checkText(&b.Fields[i], limitSectionField, "field"); err != nil {
				return err
			}
		}
		if b.Accessory != nil {
			return b.Accessory.check()
		}
	case "header":
		return checkText(b.Text, limitHeaderText, "header text")
	case "context":
		if len(b.Elements) > limitContextItems {
			return fmt.Errorf("%d elements", len(b.Elements))
		}
		for _, raw := range b.Elements {
			var t textObject
			if json.Unmarshal(raw, &t) == nil && (t.Type == "mrkdwn" || t.Type == "plain_text") {
				if err := checkText(&t, limitTextObject, "context text"); err != nil {
					return err
				}
			}
		}
	case "actions":
		if len(b.Elements) > limitActionItems {
			return fmt.Errorf("%d elements", len(b.Elements))
		}
		for _, raw := range b.Elements {
			var e element
			if err := json.Unmarshal(raw, &e); err != nil {
				return err
			}
			if err := e.check(); err != nil {
				return err
			}
		}
	case "input":
		if err := checkText(b.Label, limitLabel, "label"); err != nil {
			return err
		}
		if err := checkText(b.Hint, limitLabel, "hint"); err != nil {
			return err
		}
		if b.Element != nil {
			return b.Element.check()
		}
	}
	return nil
}

func (e element) check() error {
	if n := utf8.RuneCountInString(e.ActionID); n > limitID {
		return fmt.Errorf("action_id of %d characters", n)
	}
	if err := checkText(e.Placeholder, limitPlaceholder, "placeholder"); err != nil {
		return err
	}
	switch e.Type {
	case "button":
		if err := checkText(e.Text, limitButtonText, "button text"); err != nil {
			return err
		}
		if n := utf8.RuneCountInString(e.Value); n > limitButtonValue {
			return fmt.Errorf("button value of %d characters", n)
		}
	case "plain_text_input":
		limit := limitInputValue
		if e.MaxLength > 0 {
			limit = min(limit, e.MaxLength)
		}
		if e.MaxLength > limitInputValue {
			return fmt.Errorf("max_length %d", e.MaxLength)
		}
		if n := utf8.RuneCountInString(e.InitialValue); n > limit {
			return fmt.Errorf("initial_value of %d characters, more than %d", n, limit)
		}
	case "static_select", "multi_static_select", "radio_buttons", "checkboxes":
		if len(e.OptionGroups) > limitOptions {
			return fmt.Errorf("%d option groups", len(e.OptionGroups))
		}
		opts := e.Options
		for _, g := range e.OptionGroups {
			if err := checkText(g.Label, limitOptionText, "option group label"); err != nil {
				return err
			}
			if len(g.Options) > limitOptions {
				return fmt.Errorf("%d options in a group", len(g.Options))
			}
			opts = append(opts, g.Options...)
		}
		if len(e.Options) > limitOptions {
			return fmt.Errorf("%d options", len(e.Options))
		}
		for _, o := range opts {
			if err := checkText(o.Text, limitOptionText, "option text"); err != nil {
				return err
			}
			if n := utf8.RuneCountInString(o.Value); n > limitOptionValue {
				return fmt.Errorf("option value of %d characters", n)
			}
		}
	}
	return nil
}

func checkText(t *textObject, limit int, what string) error {
	if t == nil {
		return nil
	}
	if n := utf8.RuneCountInString(t.Text); n > limit {
		return fmt.Errorf("%s of %d characters, more than %d", what, n, limit)
	}
	return nil
}
