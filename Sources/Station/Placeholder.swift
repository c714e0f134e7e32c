// Placeholder: Station is being written.
