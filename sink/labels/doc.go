// Package labels owns turning moderators' decisions into training data:
// every finding whose case a moderator confirmed or escalated becomes a
// solicitation example, every finding of a dismissed or cleared case a
// benign one, in the labelled-corpus format that `handlewatch train --add`
// and `eval` read. It reads the log of record (hw.findings.>, hw.cases.>)
// and changes nothing.
package labels
