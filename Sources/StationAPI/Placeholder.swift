// Placeholder: StationAPI is being written.
