// Placeholder: DeviceCatalog is being written.
