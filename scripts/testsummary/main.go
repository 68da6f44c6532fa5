// Command testsummary reads `go test -json` on stdin and prints what a reader needs:
// each package's result, the whole output of every failing test, and every skipped
// test with its reason (a skip is otherwise invisible without -v). It exits 1 when a
// test or a package failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	out := map[string][]string{} // package/test → output lines
	failed := false
	var skipped []string
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var ev event
		if json.Unmarshal(line, &ev) != nil {
			fmt.Println(string(line)) // not JSON: a build error, print as it is
			continue
		}
		key := ev.Package + " " + ev.Test
		switch ev.Action {
		case "build-output":
			fmt.Print(ev.Output)
		case "build-fail":
			failed = true
		case "output":
			out[key] = append(out[key], ev.Output)
		case "fail":
			failed = true
			fmt.Print(strings.Join(out[key], ""))
			if ev.Test == "" {
				fmt.Printf("FAIL\t%s\t%.3fs\n", ev.Package, ev.Elapsed)
			}
		case "skip":
			if ev.Test != "" {
				reason := ""
				for _, l := range out[key] {
					if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "=== ") && !strings.HasPrefix(t, "--- SKIP") {
						reason += t + " "
					}
				}
				skipped = append(skipped, fmt.Sprintf("SKIP\t%s %s: %s", ev.Package, ev.Test, strings.TrimSpace(reason)))
			} else {
				fmt.Printf("?   \t%s\t[no test files]\n", ev.Package)
			}
		case "pass":
			if ev.Test == "" {
				fmt.Printf("ok  \t%s\t%.3fs\n", ev.Package, ev.Elapsed)
			}
		}
		if ev.Action == "pass" || ev.Action == "fail" || ev.Action == "skip" {
			delete(out, key)
		}
	}
	for _, s := range skipped {
		fmt.Println(s)
	}
	if len(skipped) > 0 {
		fmt.Printf("%d test(s) skipped\n", len(skipped))
	}
	if failed {
		os.Exit(1)
	}
}
