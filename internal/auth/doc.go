// Package auth holds the credential layers connectors put beneath the retry layer, so
// they run on every attempt (a token that expired between two attempts is refreshed):
// OAuth 2.0 client credentials, API keys in a header, Basic, static bearer tokens.
//
// Credentials are only ever attached to requests for the hosts the layer was given:
// a redirect to another host never receives them.
package auth
