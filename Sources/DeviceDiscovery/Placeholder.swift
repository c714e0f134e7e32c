// Placeholder: DeviceDiscovery is being written.
