// Placeholder: UnixHTTP is being written.
