// Placeholder: Provisioning is being written.
