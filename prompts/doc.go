// Package prompts turns a RACE plan into prompts for a large language model
// and sends them to any OpenAI-compatible chat completions server.
//
// It has two halves. Prompts renders the prompts written out in text.go, one
// per job (draft an answer, review a plan, suggest KPIs, summarise a
// check-in), each from a plain data struct that the caller fills from its own
// domain types; this package knows nothing of flows, bot or storage. Client
// sends the rendered Messages with deadlines, retries and streaming, and maps
// every failure to one of a few sentinel errors the transport can turn into
// words for users.
//
// What the team typed is data, never instructions: the prompts put it
// inside delimited blocks and neutralise anything in it that could close a
// block, and Clean strips mass and user mentions from the model's output
// before it reaches Slack.
package prompts
