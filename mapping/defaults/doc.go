// Package defaults ships the mappings of every connector's main records into the
// dispatch center's canonical models (and Reach's customer back out, minimized), as
// YAML files embedded in the package: reach customers and service requests (with
// the SLA due time), geotab log records, device statuses and zone exceptions, dayforce
// employees, skills, schedules and availability, maddenco equipment and maintenance,
// treadnet events, merchant transactions and settlements, and every system's webhook
// events. Operations can start from
// a copy of [FS] and edit it (package mapping's Loader reads any fs.FS).
package defaults
