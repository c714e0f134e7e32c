// Placeholder: ModemSimulator is being written.
