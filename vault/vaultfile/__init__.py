"""The vault file, unlocked: store (SQL only), audit, keys, sealed records, the signed log and the sealed inbox."""
