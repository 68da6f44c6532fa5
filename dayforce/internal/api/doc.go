// Package api is the Dayforce wire client, generated from ../../openapi.yaml by
// oapi-codegen, plus the wire types it maps dates and TimeSpans to. Use the facade,
// package dayforce.
package api
