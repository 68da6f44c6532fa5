package connectors

// Version is the SDK's semantic version. It is sent in every connector's User-Agent
// header and recorded in CHANGELOG.md.
const Version = "0.1.0"
