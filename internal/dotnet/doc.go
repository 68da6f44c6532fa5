// Package dotnet reads and writes the .NET wire formats that Microsoft-stack vendors
// (MyGeotab, Dayforce) send: TimeSpan strings ("1.02:03:04.5000000") and dates
// without an offset.
package dotnet
