// Package hotline drafts hotline reports for confirmed cases: the fields
// of NCMEC's CyberTipline report (incidentSummary, internetDetails with
// webPageIncident and chatImIncident, personOrUserReported) as JSON, and
// the same as plain text for hotlines without an API or for the public
// web form.
//
// A draft is for a moderator to check and file. handlewatch is not the
// electronic service provider of the posts it sees, so the CyberTipline
// API is closed to it, and nothing here is ever submitted automatically:
// the reported user is a third party's, and so is the content.
package hotline
