extension ATResponseAssembler {
    /// The information lines gathered so far for the command in flight, before its final result.
    ///
    /// For a session that takes a reply without its final result (a firmware that ends `+CPIN?` with
    /// `+CPIN: READY` and no `OK`): once the line it waits for is here, the lines so far are the reply.
    public var pendingInformationLines: [String] { collectedLines }
}
