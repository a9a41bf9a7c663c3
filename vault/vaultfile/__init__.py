"""The vault file. Locked: sqlfile, schema and store (SQL only, no crypto) and
audit (log encoding, chain, verify). Unlocked: keyring, records, ledger and
inbox, tied together by unlocked.UnlockedVault."""
