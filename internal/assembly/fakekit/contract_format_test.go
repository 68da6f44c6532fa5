package fakekit

import (
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReplaceFormat(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /x:
    get:
      parameters:
        - {name: from, in: query, schema: {type: string, format: date-time}}
        - {name: day, in: query, schema: {type: string, format: date}}
      responses: {"200": {description: ok}}
components:
  schemas:
    A:
      type: object
      properties:
        at: {type: string, format: date-time}
        list: {type: array, items: {type: string, format: date-time}}
        any: {oneOf: [{type: string, format: date-time}, {type: integer}]}
        self: {$ref: '#/components/schemas/A'}
`))
	require.NoError(t, err)
	ReplaceFormat(doc, "date-time", "local")
	params := doc.Paths.Find("/x").Get.Parameters
	a := doc.Components.Schemas["A"].Value
	for name, got := range map[string]string{
		"parameter":         params[0].Value.Schema.Value.Format,
		"other format kept": params[1].Value.Schema.Value.Format,
		"property":          a.Properties["at"].Value.Format,
		"items":             a.Properties["list"].Value.Items.Value.Format,
		"oneOf":             a.Properties["any"].Value.OneOf[0].Value.Format,
	} {
		want := "local"
		if name == "other format kept" {
			want = "date"
		}
		assert.Equal(t, want, got, name)
	}
}
