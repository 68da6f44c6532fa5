// Package browser tests the example dispatch service's operations console
// (/ops/) and live dispatch screen (/live/) in a real browser: headless Chromium,
// driven from Go with chromedp. It is a module of its own so that neither the
// library nor the example depends on a browser driver.
//
// The test plays the example's demo story, then does what the operations guide
// asks of an operator: it opens the Errors tab on the record the reach-event
// mapping refused, adds the missing value in the Mappings tab (after a dry run),
// reprocesses the record and sees it published; replays a dead letter; and watches
// a vehicle move on the live screen. It needs Chromium (Debian's chromium package,
// which .ci/run installs; CHROME_PATH names another binary) and is skipped, with
// the reason printed, where there is none.
//
// Each tab is photographed into the test's artifact directory; to keep them:
//
//	mkdir -p /tmp/screens
//	go -C examples/browser test -run TestOperatorInBrowser -artifacts -outputdir /tmp/screens .
//
// leaves the PNG files under /tmp/screens/_artifacts.
package browser
