package mapping_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dispatchcenter/connectors/mapping"
)

type contact struct {
	Ref   string `json:"ref"`
	Email string `json:"email"`
}

const contactV1 = `name: contact
version: 1
source: contact
target: contact
fields:
  - {target: ref, source: ref, required: true}
  - {target: email, source: email, pipeline: [trim]}
`

// An edit is saved only when it compiles, each problem with its line; a saved edit
// is in force at once and recorded with its author and diff; the defaults never
// overwrite an edited file.
func TestDirEdits(t *testing.T) {
	reg := mapping.NewRegistry()
	reg.RegisterType("contact", contact{})
	dir := t.TempDir()
	seed := fstest.MapFS{"contact.yaml": {Data: []byte(contactV1)}}
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	d, err := mapping.OpenDir(dir, reg, seed, func() time.Time { return at })
	require.NoError(t, err)
	files, err := d.Files()
	require.NoError(t, err)
	assert.Equal(t, []string{"contact.yaml"}, files)

	bad := strings.Replace(contactV1, "pipeline: [trim]", "pipeline: [trim, emial]", 1)
	bad = strings.Replace(bad, "source: ref, required", "source: reff, required", 1)
	problems, err := d.Save("contact.yaml", []byte(bad), "ada")
	require.NoError(t, err)
	require.Len(t, problems, 2, "every problem at once")
	assert.Equal(t, 6, problems[0].Line)
	assert.Contains(t, problems[0].Problem, "reff")
	assert.Equal(t, 7, problems[1].Line)
	assert.Contains(t, problems[1].Problem, `unknown step "emial"`)
	text, err := d.Read("contact.yaml")
	require.NoError(t, err)
	assert.Equal(t, contactV1, string(text), "nothing saved")
	m, _ := d.Loader().Mapping("contact")
	assert.Equal(t, 1, m.Version(), "the last good version in force")

	_, problems = d.Check([]byte("name: [\n"))
	require.Len(t, problems, 1)
	assert.Equal(t, 1, problems[0].Line, "a YAML error names its line")

	good := strings.Replace(strings.Replace(contactV1, "version: 1", "version: 2", 1), "pipeline: [trim]", "pipeline: [trim, email]", 1)
	problems, err = d.Save("contact.yaml", []byte(good), "ada")
	require.NoError(t, err)
	require.Empty(t, problems)
	m, _ = d.Loader().Mapping("contact")
	assert.Equal(t, 2, m.Version(), "in force at once")
	ch := d.Changes("contact.yaml")
	require.Len(t, ch, 1)
	assert.Equal(t, "ada", ch[0].By)
	assert.Equal(t, at, ch[0].At)
	assert.Contains(t, ch[0].Diff, "-2: version: 1")
	assert.Contains(t, ch[0].Diff, "+2: version: 2")
	assert.Contains(t, ch[0].Diff, "+7:   - {target: email, source: email, pipeline: [trim, email]}")

	_, err = d.Save("../escape.yaml", []byte(good), "ada")
	assert.Error(t, err)
	_, err = d.Read("/etc/passwd")
	assert.Error(t, err)

	d2, err := mapping.OpenDir(dir, reg, seed, nil)
	require.NoError(t, err)
	m, _ = d2.Loader().Mapping("contact")
	assert.Equal(t, 2, m.Version(), "the defaults do not overwrite an edited file")
	_, err = os.Stat(filepath.Join(dir, "contact.yaml.tmp"))
	assert.True(t, os.IsNotExist(err))
}
