// Command fakeserver serves the SDK's bundled fakes as a process, for clients in
// other languages and for exploring by hand: their URLs and credentials are printed at
// start, the TLS material (CAs, client certificates and keys) written to a folder,
// and faults can be injected over a small admin endpoint. Every fake is served over
// HTTPS, as the real systems are: trust its CA from the folder (reach-ca.pem,
// geotab-ca.pem, …; treadnet and merchant also take a client certificate). GeoTab's
// faults take geotabtest.Fault's shape (an exception name, a status, a delay, …).
//
//	go -C examples run ./fakeserver -dir ./fake-tls
//	curl -X POST localhost:7070/faults/maddenco -d '{"Match":"getEquipment","Status":503,"Times":2}'
//	curl localhost:7070/requests/maddenco
//	curl -X POST localhost:7070/faults/geotab -d '{"Method":"Get","Exception":"OverLimitException","RetryAfter":5}'
//	curl --cacert fake-tls/geotab-ca.pem https://127.0.0.1:PORT/apiv1/ -d '{"method":"GetVersion","params":{}}'
package main
