// Command fakeserver serves the SDK's bundled fakes as a process, for clients in
// other languages and for exploring by hand: their URLs and credentials are printed at
// start, the TLS material (CAs, client certificates and keys) written to a folder,
// and faults can be injected over a small admin endpoint.
//
//	go -C examples run ./fakeserver -dir ./fake-tls
//	curl -X POST localhost:7070/faults/maddenco -d '{"Match":"getEquipment","Status":503,"Times":2}'
//	curl localhost:7070/requests/maddenco
package main
