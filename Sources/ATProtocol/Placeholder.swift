// Placeholder: ATProtocol is being written.
