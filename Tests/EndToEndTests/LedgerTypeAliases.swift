import Ledger

// The `Ledger` module has a `Ledger` class, so `Ledger.ProvisioningOutcome` cannot be spelled where `Provisioning`'s
// type of the same name is also visible. This file imports only the ledger and names its type unambiguously.

/// The ledger's record of how a run ended.
typealias LedgerProvisioningOutcome = ProvisioningOutcome
