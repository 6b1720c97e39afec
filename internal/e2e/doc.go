// Package e2e holds tests that build the batchctl binary and drive it in a
// real terminal (tmux), where the testscripts in testdata/script cannot go:
// progress bars and tables only appear when stderr and stdout are terminals.
package e2e
