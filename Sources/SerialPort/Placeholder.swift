// Placeholder: SerialPort is being written.
