// Package settings parses GoMLX-style "key=value;key=value" overrides into typed fields, naming
// the key and the allowed values in every error.
package settings
