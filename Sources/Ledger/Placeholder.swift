// Placeholder: Ledger is being written.
