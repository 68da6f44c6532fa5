// Command dispatch is the example dispatch service: the SDK assembled around a
// JetStream bus. Run with no flags it starts the six bundled fakes and an embedded
// NATS JetStream server and serves until interrupted; -demo plays one dispatch story
// and exits.
//
//	go -C examples run ./dispatch                      # serve on embedded defaults
//	go -C examples run ./dispatch -demo                # play the story, print the timeline, exit 0
//	go -C examples run ./dispatch -dead-letters        # list the dead letters, then exit
//	go -C examples run ./dispatch -job reach-sync      # run one daily job now, then exit
//
// -nats-url (or NATS_URL) points it at an existing NATS cluster. Otherwise the
// embedded server's store is -store (or DISPATCH_STORE_DIR; default
// $XDG_STATE_HOME/dispatch/jetstream), reused on restart, so that events accepted but
// not yet processed survive a crash and -dead-letters sees earlier runs' dead letters.
package main
