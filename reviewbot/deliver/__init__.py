"""The I/O edge: SMTP, lore, patchwork and GitHub over the network."""
