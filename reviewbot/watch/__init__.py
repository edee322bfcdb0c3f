"""The list-watching service (`reviewbot watch`, `reviewbot outbox`, `reviewbot status`).

`config` reads its TOML file, `sources` streams new mail (public-inbox, maildir, mbox,
lore), `state` is the SQLite memory, `policy` decides what is owed to whom, `service`
runs the polls and the crash-safe delivery, `commands` is what a person runs by hand.
"""
