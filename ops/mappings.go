package ops

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"path"
	"strings"

	"github.com/dispatchcenter/connectors"
	"github.com/dispatchcenter/connectors/internal/redact"
	"github.com/dispatchcenter/connectors/mapping"
)

type mappingRow struct {
	File, Name string
	Version    int
	Fields     int
	Last       *mapping.Change
}

func (c *Console) mappingsTab(w http.ResponseWriter, r *http.Request) {
	data := map[string]any{"Tab": "mappings", "Operator": connectors.ActorFrom(r.Context()), "Configured": c.cfg.Mappings != nil}
	if c.cfg.Mappings != nil {
		files, err := c.cfg.Mappings.Files()
		if err != nil {
			data["Error"] = redact.Error(err).Error()
		}
		var rows []mappingRow
		for _, f := range files {
			row := mappingRow{File: f}
			if text, err := c.cfg.Mappings.Read(f); err == nil {
				if spec, err := mapping.ParseSpec(text); err == nil {
					row.Name, row.Version, row.Fields = spec.Name, spec.Version, len(spec.Fields)
				}
			}
			if ch := c.cfg.Mappings.Changes(f); len(ch) > 0 {
				row.Last = &ch[0]
			}
			rows = append(rows, row)
		}
		data["Mappings"] = rows
	}
	c.render(w, r, "mappings.html", data)
}

// mappingFile is the file of /mapping/{file...}: a slash-separated path of the
// directory, never leaving it (mapping.Dir checks it again).
func mappingFile(r *http.Request) string { return path.Clean(r.PathValue("file")) }

// editor renders a mapping's page: text (as in force, or as edited), its fields,
// its history, the records a dry run may use, and what an action found.
func (c *Console) editor(w http.ResponseWriter, r *http.Request, file string, text []byte, extra map[string]any) {
	data := map[string]any{"Tab": "mappings", "Operator": connectors.ActorFrom(r.Context()), "File": file, "Text": string(text),
		"Changes": c.cfg.Mappings.Changes(file), "CanDryRun": c.cfg.DryRun != nil && c.cfg.Errors != nil}
	if spec, err := mapping.ParseSpec(text); err == nil {
		data["Spec"] = spec
		if c.cfg.Errors != nil {
			data["Records"] = recordsOf(r.Context(), c.cfg.Errors, spec.Name, 20)
		}
	}
	for k, v := range extra {
		data[k] = v
	}
	c.render(w, r, "mapping.html", data)
}

// recordsOf lists up to n stored records that mapping name refused, for a dry run.
func recordsOf(ctx context.Context, s mapping.Store, name string, n int) []string {
	var keys []string
	after := ""
	for len(keys) < n {
		batch, err := s.Scan(ctx, after, 200)
		if err != nil || len(batch) == 0 {
			return keys
		}
		for _, r := range batch {
			after = r.Key
			if r.Mapping == name && len(keys) < n {
				keys = append(keys, r.Key)
			}
		}
	}
	return keys
}

func (c *Console) mappingPage(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Mappings == nil {
		http.NotFound(w, r)
		return
	}
	file := mappingFile(r)
	text, err := c.cfg.Mappings.Read(file)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	extra := map[string]any{}
	if r.URL.Query().Get("saved") != "" {
		extra["Saved"] = true
	}
	c.editor(w, r, file, text, extra)
}

// mappingAction checks, dry-runs or saves an edit of a mapping file: every problem
// is shown at once with its line; a save happens only when the edit compiles.
func (c *Console) mappingAction(w http.ResponseWriter, r *http.Request) {
	if c.cfg.Mappings == nil {
		http.NotFound(w, r)
		return
	}
	file := mappingFile(r)
	if _, err := c.cfg.Mappings.Read(file); err != nil {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "unreadable form", http.StatusBadRequest)
		return
	}
	text := []byte(strings.ReplaceAll(r.PostForm.Get("text"), "\r\n", "\n"))
	switch r.PostForm.Get("action") {
	case "save":
		problems, err := c.cfg.Mappings.Save(file, text, connectors.ActorFrom(r.Context()))
		if err == nil && len(problems) > 0 {
			err = errors.New("the edit does not compile")
		}
		c.audit(r.Context(), "save mapping", map[string]string{"file": file}, err)
		if len(problems) == 0 && err == nil {
			seeOther(w, c.rel(r, "mapping/"+file+"?saved=1"))
			return
		}
		w.WriteHeader(http.StatusUnprocessableEntity)
		extra := map[string]any{"Problems": problems}
		if len(problems) == 0 {
			extra["Error"] = redact.Error(err).Error()
		}
		c.editor(w, r, file, text, extra)
	case "dryrun":
		m, problems := c.cfg.Mappings.Check(text)
		extra := map[string]any{"Problems": problems, "Checked": len(problems) == 0}
		if m != nil && c.cfg.DryRun != nil && c.cfg.Errors != nil {
			key := r.PostForm.Get("record")
			rec, ok, err := find(r.Context(), c.cfg.Errors, key)
			switch {
			case err != nil || !ok:
				extra["DryError"] = "no stored record " + key
			default:
				out, err := c.cfg.DryRun(r.Context(), m, rec)
				if err != nil {
					extra["DryError"] = redact.Error(err).Error()
				} else {
					b, _ := json.MarshalIndent(out, "", "  ")
					extra["DryOut"] = redact.Text(string(redact.New().JSON(b)))
				}
				extra["DryRecord"] = key
			}
		}
		c.editor(w, r, file, text, extra)
	default: // check
		_, problems := c.cfg.Mappings.Check(text)
		c.editor(w, r, file, text, map[string]any{"Problems": problems, "Checked": len(problems) == 0})
	}
}
