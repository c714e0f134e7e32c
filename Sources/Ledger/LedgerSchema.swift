import GRDB

/// The ledger's named migrations. A shipped migration is never edited: add `v2-…`, never touch `v1-…`.
///
/// Constraints live here, not only in Swift: state CHECKs, the voucher state machine as a trigger,
/// UNIQUE voucher codes, foreign keys, no DELETE of money rows, and append-only events whose seq
/// and prev_hash must follow the head. A normal connection therefore cannot edit history; someone
/// who bypasses the triggers (drops them, edits the file) is caught by `verifyChain`.
enum LedgerSchema {
    /// Migration identifiers in order; the first is the empty database's starting point.
    static let migrationNames = ["v1-initial", "v2-orders"]

    /// The migrator every `Ledger` runs at open.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial") { db in
            try db.execute(sql: v1Initial)
        }
        migrator.registerMigration("v2-orders") { db in
            try db.execute(sql: v2Orders)
        }
        return migrator
    }

    static let v1Initial = """
        CREATE TABLE devices (
            id INTEGER PRIMARY KEY,
            imei TEXT NOT NULL UNIQUE CHECK (length(imei) BETWEEN 1 AND 32),
            manufacturer TEXT,
            model TEXT,
            firmware TEXT,
            last_port TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        ) STRICT;

        CREATE TABLE sims (
            iccid TEXT PRIMARY KEY NOT NULL CHECK (length(iccid) BETWEEN 1 AND 32),
            imsi TEXT,
            luhn_valid INTEGER NOT NULL CHECK (luhn_valid IN (0, 1)),
            first_seen TEXT NOT NULL
        ) STRICT;

        CREATE TABLE provisionings (
            id INTEGER PRIMARY KEY,
            device_id INTEGER NOT NULL REFERENCES devices(id),
            iccid TEXT REFERENCES sims(iccid),
            plan TEXT,
            state TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'succeeded', 'failed')),
            failure_code TEXT,
            failure_message TEXT,
            wifi_ssid TEXT,
            wifi_key TEXT,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            actor_uid INTEGER,
            CHECK ((state = 'running') = (finished_at IS NULL)),
            CHECK ((state = 'failed') = (failure_code IS NOT NULL))
        ) STRICT;
        CREATE INDEX provisionings_by_device ON provisionings(device_id, id);
        CREATE INDEX provisionings_by_iccid ON provisionings(iccid, id);

        CREATE TABLE vouchers (
            id INTEGER PRIMARY KEY,
            code TEXT NOT NULL UNIQUE
                CHECK (length(code) BETWEEN 4 AND 32 AND code NOT GLOB '*[^0-9A-Za-z]*'),
            plan TEXT NOT NULL CHECK (length(plan) BETWEEN 1 AND 64),
            state TEXT NOT NULL DEFAULT 'available'
                CHECK (state IN ('available', 'reserved', 'sending', 'applied', 'rejected', 'unknown', 'manual')),
            reserved_by_provisioning INTEGER REFERENCES provisionings(id),
            iccid TEXT REFERENCES sims(iccid),
            balance_before_mb INTEGER,
            balance_after_mb INTEGER,
            raw_reply TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            settled_note TEXT,
            CHECK ((state = 'available') = (reserved_by_provisioning IS NULL)),
            CHECK ((state = 'available') = (iccid IS NULL))
        ) STRICT;
        CREATE INDEX vouchers_by_plan_state ON vouchers(plan, state, id);
        CREATE INDEX vouchers_by_iccid_state ON vouchers(iccid, state);
        CREATE INDEX vouchers_by_state ON vouchers(state, id);

        CREATE TABLE events (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (length(kind) > 0),
            provisioning_id INTEGER REFERENCES provisionings(id),
            device_imei TEXT,
            iccid TEXT,
            voucher_id INTEGER REFERENCES vouchers(id),
            actor_uid INTEGER,
            detail TEXT NOT NULL CHECK (json_valid(detail)),
            prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
            hash BLOB NOT NULL CHECK (length(hash) = 32)
        ) STRICT;
        CREATE INDEX events_by_iccid ON events(iccid, seq);
        CREATE INDEX events_by_device ON events(device_imei, seq);
        CREATE INDEX events_by_provisioning ON events(provisioning_id, seq);
        CREATE INDEX events_by_voucher ON events(voucher_id, seq);
        CREATE INDEX events_by_time ON events(at);

        -- Events are append-only: no UPDATE, no DELETE, and each new row follows the head.
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_follow_head BEFORE INSERT ON events
        WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events)
          OR NEW.prev_hash IS NOT COALESCE((SELECT hash FROM events WHERE seq = NEW.seq - 1), zeroblob(32))
        BEGIN SELECT RAISE(ABORT, 'an event must follow the head of the chain'); END;

        -- Vouchers: born available, never deleted, code and plan fixed, the state machine enforced.
        CREATE TRIGGER vouchers_born_available BEFORE INSERT ON vouchers
        WHEN NEW.state IS NOT 'available'
        BEGIN SELECT RAISE(ABORT, 'a voucher is imported as available'); END;
        CREATE TRIGGER vouchers_no_delete BEFORE DELETE ON vouchers
        BEGIN SELECT RAISE(ABORT, 'vouchers are never deleted'); END;
        CREATE TRIGGER vouchers_fixed_fields BEFORE UPDATE OF id, code, plan, created_at ON vouchers
        WHEN NEW.id IS NOT OLD.id OR NEW.code IS NOT OLD.code OR NEW.plan IS NOT OLD.plan
          OR NEW.created_at IS NOT OLD.created_at
        BEGIN SELECT RAISE(ABORT, 'a voucher''s id, code, plan and creation time never change'); END;
        CREATE TRIGGER vouchers_final BEFORE UPDATE ON vouchers
        WHEN OLD.state IN ('applied', 'rejected', 'manual')
        BEGIN SELECT RAISE(ABORT, 'a settled voucher never changes'); END;
        CREATE TRIGGER vouchers_state_machine BEFORE UPDATE OF state ON vouchers
        WHEN NEW.state IS NOT OLD.state AND NOT (
             (OLD.state = 'available' AND NEW.state = 'reserved')
          OR (OLD.state = 'reserved' AND NEW.state IN ('available', 'sending'))
          OR (OLD.state = 'sending' AND NEW.state IN ('applied', 'rejected', 'unknown'))
          OR (OLD.state = 'unknown' AND NEW.state IN ('applied', 'rejected', 'manual')))
        BEGIN SELECT RAISE(ABORT, 'illegal voucher transition'); END;
        CREATE TRIGGER vouchers_one_unsettled_per_sim BEFORE UPDATE OF state ON vouchers
        WHEN NEW.state = 'reserved' AND OLD.state IS NOT 'reserved' AND EXISTS (
            SELECT 1 FROM vouchers
            WHERE iccid = NEW.iccid AND state IN ('sending', 'unknown') AND id != NEW.id)
        BEGIN SELECT RAISE(ABORT, 'the SIM has an unsettled voucher'); END;

        -- Provisionings: never deleted; running until finished once; a finished one never changes.
        CREATE TRIGGER provisionings_no_delete BEFORE DELETE ON provisionings
        BEGIN SELECT RAISE(ABORT, 'provisionings are never deleted'); END;
        CREATE TRIGGER provisionings_final BEFORE UPDATE ON provisionings
        WHEN OLD.state IS NOT 'running'
        BEGIN SELECT RAISE(ABORT, 'a finished provisioning never changes'); END;

        -- Devices and SIMs are referenced by history: never deleted.
        CREATE TRIGGER devices_no_delete BEFORE DELETE ON devices
        BEGIN SELECT RAISE(ABORT, 'devices are never deleted'); END;
        CREATE TRIGGER sims_no_delete BEFORE DELETE ON sims
        BEGIN SELECT RAISE(ABORT, 'SIMs are never deleted'); END;
        """

    /// Orders: what money is spent for. One sale, one credit: a voucher is reserved only under an open order, an
    /// order takes at most one voucher that was not refused, and a SIM has at most one open order.
    ///
    /// Vouchers and provisionings gain the order they served; rows written before this migration have none (the
    /// ledger still knows what those SIMs received from their vouchers' ICCIDs).
    static let v2Orders = """
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            iccid TEXT NOT NULL REFERENCES sims(iccid),
            plan TEXT NOT NULL CHECK (length(plan) BETWEEN 1 AND 64),
            origin TEXT NOT NULL CHECK (origin IN ('policy', 'provision', 'again', 'topup')),
            sets_wifi INTEGER NOT NULL CHECK (sets_wifi IN (0, 1)),
            wifi_ssid TEXT,
            wifi_key TEXT,
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'fulfilled', 'cancelled')),
            fulfilled_by_provisioning INTEGER REFERENCES provisionings(id),
            actor_uid INTEGER,
            created_at TEXT NOT NULL,
            closed_at TEXT,
            CHECK ((state = 'open') = (closed_at IS NULL)),
            CHECK ((state = 'fulfilled') = (fulfilled_by_provisioning IS NOT NULL))
        ) STRICT;
        CREATE UNIQUE INDEX orders_one_open_per_sim ON orders(iccid) WHERE state = 'open';
        CREATE INDEX orders_by_iccid ON orders(iccid, id);

        ALTER TABLE provisionings ADD COLUMN order_id INTEGER REFERENCES orders(id);
        ALTER TABLE vouchers ADD COLUMN order_id INTEGER REFERENCES orders(id);
        CREATE INDEX vouchers_by_order ON vouchers(order_id, state);

        -- Orders: born open, never deleted, closed once; what they ask for never changes.
        CREATE TRIGGER orders_born_open BEFORE INSERT ON orders
        WHEN NEW.state IS NOT 'open'
        BEGIN SELECT RAISE(ABORT, 'an order is placed open'); END;
        CREATE TRIGGER orders_no_delete BEFORE DELETE ON orders
        BEGIN SELECT RAISE(ABORT, 'orders are never deleted'); END;
        CREATE TRIGGER orders_final BEFORE UPDATE ON orders
        WHEN OLD.state IS NOT 'open'
        BEGIN SELECT RAISE(ABORT, 'a closed order never changes'); END;
        CREATE TRIGGER orders_fixed_fields BEFORE UPDATE ON orders
        WHEN NEW.id IS NOT OLD.id OR NEW.iccid IS NOT OLD.iccid OR NEW.plan IS NOT OLD.plan
          OR NEW.origin IS NOT OLD.origin OR NEW.sets_wifi IS NOT OLD.sets_wifi OR NEW.created_at IS NOT OLD.created_at
          OR NEW.actor_uid IS NOT OLD.actor_uid
        BEGIN SELECT RAISE(ABORT, 'what an order asks for never changes'); END;

        -- A voucher is reserved only under an open order of its SIM, and an order takes one voucher that was not refused.
        CREATE TRIGGER vouchers_order_open BEFORE UPDATE OF state ON vouchers
        WHEN NEW.state = 'reserved' AND OLD.state IS NOT 'reserved' AND NEW.order_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM orders WHERE id = NEW.order_id AND state = 'open' AND iccid = NEW.iccid)
        BEGIN SELECT RAISE(ABORT, 'a voucher is reserved only under an open order of its SIM'); END;
        CREATE TRIGGER vouchers_one_credit_per_order BEFORE UPDATE OF state ON vouchers
        WHEN NEW.state = 'reserved' AND OLD.state IS NOT 'reserved' AND NEW.order_id IS NOT NULL AND EXISTS (
            SELECT 1 FROM vouchers WHERE order_id = NEW.order_id AND id != NEW.id
              AND state IN ('reserved', 'sending', 'applied', 'unknown', 'manual'))
        BEGIN SELECT RAISE(ABORT, 'the order already has its voucher'); END;
        -- Ports whose handling a daemon began and did not end (it died): a port two daemons in a row died on is
        -- quarantined. Operational state, not history: not chained, rows change.
        CREATE TABLE port_handling (
            port TEXT PRIMARY KEY NOT NULL CHECK (length(port) BETWEEN 1 AND 4096),
            unfinished INTEGER NOT NULL CHECK (unfinished >= 0),
            updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TRIGGER vouchers_order_fixed BEFORE UPDATE OF order_id ON vouchers
        WHEN NEW.order_id IS NOT OLD.order_id AND NOT (
             (OLD.state = 'available' AND NEW.state = 'reserved')
          OR (OLD.state = 'reserved' AND NEW.state = 'available' AND NEW.order_id IS NULL))
        BEGIN SELECT RAISE(ABORT, 'a voucher''s order is set when it is reserved and cleared only when it is released'); END;
        """
}
